using System.Security.Cryptography;
using System.Text;

namespace Atom.Bot.Workers;

/// <summary>Collects a process's output from several streams: a SHA-256 of everything and the last bytes only.</summary>
internal sealed class TestOutput(int tailBytes) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _tail = new byte[tailBytes];
    private int _tailStart;
    private int _tailLength;

    public long TotalBytes { get; private set; }

    public async Task PumpAsync(Stream stream)
    {
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                Append(buffer.AsSpan(0, read));
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The stream was closed under us after the process tree was killed: what was read is kept.
        }
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        lock (_lock)
        {
            _hash.AppendData(bytes);
            TotalBytes += bytes.Length;
            if (bytes.Length >= _tail.Length)
            {
                bytes[^_tail.Length..].CopyTo(_tail);
                _tailStart = 0;
                _tailLength = _tail.Length;
                return;
            }

            foreach (var b in bytes)
            {
                _tail[(_tailStart + _tailLength) % _tail.Length] = b;
                if (_tailLength < _tail.Length)
                {
                    _tailLength++;
                }
                else
                {
                    _tailStart = (_tailStart + 1) % _tail.Length;
                }
            }
        }
    }

    /// <summary>The SHA-256 (lower-case hex) of everything appended.</summary>
    public string Sha256()
    {
        lock (_lock)
        {
            return Convert.ToHexStringLower(_hash.GetCurrentHash());
        }
    }

    /// <summary>The last bytes as text, starting at a character boundary, with a note when earlier output was cut.</summary>
    public string Tail()
    {
        byte[] bytes;
        long total;
        lock (_lock)
        {
            bytes = new byte[_tailLength];
            for (var i = 0; i < _tailLength; i++)
            {
                bytes[i] = _tail[(_tailStart + i) % _tail.Length];
            }

            total = TotalBytes;
        }

        var skip = 0;
        if (total > bytes.Length)
        {
            while (skip < bytes.Length && skip < 4 && (bytes[skip] & 0xC0) == 0x80)
            {
                skip++;
            }
        }

        var text = Encoding.UTF8.GetString(bytes, skip, bytes.Length - skip);
        return total > bytes.Length ? $"[output truncated: showing the last {bytes.Length - skip} of {total} bytes]\n{text}" : text;
    }

    public void Dispose() => _hash.Dispose();
}
