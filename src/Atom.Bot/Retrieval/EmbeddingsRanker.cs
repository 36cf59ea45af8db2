using System.Security.Cryptography;
using System.Text;
using LibGit2Sharp;

namespace Atom.Bot.Retrieval;

/// <summary>
/// Ranks files by the cosine similarity of their best chunk to the query. A file's chunks (its path and up to
/// <see cref="MaxChunksPerFile"/> pieces of <see cref="ChunkCharacters"/>) are embedded once per blob and model and
/// cached under <c>ATOM_DATA_DIR/retrieval/embeddings</c>: a blob id names its content, so the cache never goes stale
/// and a new commit embeds only the files it changed.
/// </summary>
public sealed class EmbeddingsRanker(EmbeddingsClient client, RetrievalOptions options)
{
    public const int ChunkCharacters = 2000;
    public const int MaxChunksPerFile = 4;
    public const int BatchSize = 32;
    public const int MaxQueryCharacters = 8000;

    public async Task<EmbeddingsRanking> RankAsync(string gitDirectory, IReadOnlyList<IndexedFile> files, string query, int count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        var cache = CacheDirectory();
        Directory.CreateDirectory(cache);
        var missing = files.Where(f => f.IsText && !File.Exists(CachePath(cache, f.Blob))).DistinctBy(f => f.Blob).ToList();
        var embedded = 0;
        if (missing.Count > 0)
        {
            var chunks = new List<(string Blob, string Text)>();
            using (var repository = new Repository(gitDirectory))
            {
                foreach (var file in missing)
                {
                    var text = repository.Lookup<Blob>(file.Blob) is { } blob ? RepositoryIndex.Text(blob) ?? "" : "";
                    chunks.AddRange(Chunks(file.Path, text).Select(c => (file.Blob, c)));
                }
            }

            var vectors = new List<float[]>();
            foreach (var batch in chunks.Chunk(BatchSize))
            {
                var answer = await client.EmbedAsync([.. batch.Select(c => c.Text)], cancellationToken);
                if (!answer.IsOk)
                {
                    return new EmbeddingsRanking(null, embedded, answer.Error);
                }

                vectors.AddRange(answer.Vectors!);
                embedded += batch.Length;
            }

            foreach (var group in chunks.Zip(vectors).GroupBy(c => c.First.Blob))
            {
                await WriteAsync(CachePath(cache, group.Key), [.. group.Select(c => c.Second)], cancellationToken);
            }
        }

        var queryVector = await client.EmbedAsync([query.Length > MaxQueryCharacters ? query[..MaxQueryCharacters] : query], cancellationToken);
        if (!queryVector.IsOk)
        {
            return new EmbeddingsRanking(null, embedded, queryVector.Error);
        }

        var scored = new List<(string Path, double Score)>();
        foreach (var file in files.Where(f => f.IsText))
        {
            var vectors = await ReadAsync(CachePath(cache, file.Blob), cancellationToken);
            if (vectors.Count > 0)
            {
                scored.Add((file.Path, vectors.Max(v => Cosine(v, queryVector.Vectors![0]))));
            }
        }

        return new EmbeddingsRanking([.. scored.OrderByDescending(s => s.Score).ThenBy(s => s.Path, StringComparer.Ordinal).Take(count).Select(s => s.Path)], embedded, null);
    }

    /// <summary>The texts embedded for a file: its path first, so that a chunk knows where it is from.</summary>
    internal static IEnumerable<string> Chunks(string path, string text)
    {
        if (text.Length == 0)
        {
            yield return path;
            yield break;
        }

        for (var start = 0; start < text.Length && start < ChunkCharacters * MaxChunksPerFile; start += ChunkCharacters)
        {
            yield return string.Concat(path, "\n", text.AsSpan(start, Math.Min(ChunkCharacters, text.Length - start)));
        }
    }

    internal static double Cosine(float[] a, float[] b)
    {
        if (a.Length != b.Length)
        {
            return 0;
        }

        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * (double)b[i];
            na += a[i] * (double)a[i];
            nb += b[i] * (double)b[i];
        }

        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }

    // One folder per endpoint and model: vectors of two models are not comparable.
    private string CacheDirectory()
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{options.EmbeddingsBaseUrl}\n{options.EmbeddingsModel}")))[..16];
        return Path.Combine(options.Directory, "embeddings", key);
    }

    private static string CachePath(string cache, string blob) => Path.Combine(cache, blob[..2], blob + ".f32");

    private static async Task WriteAsync(string path, IReadOnlyList<float[]> vectors, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(vectors.Count);
            foreach (var vector in vectors)
            {
                writer.Write(vector.Length);
                foreach (var value in vector)
                {
                    writer.Write(value);
                }
            }
        }

        // Written aside and moved, so that a reader never sees half a file.
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        await File.WriteAllBytesAsync(temporary, buffer.ToArray(), cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    private static async Task<IReadOnlyList<float[]>> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var reader = new BinaryReader(new MemoryStream(await File.ReadAllBytesAsync(path, cancellationToken)));
        var vectors = new float[reader.ReadInt32()][];
        for (var i = 0; i < vectors.Length; i++)
        {
            vectors[i] = new float[reader.ReadInt32()];
            for (var j = 0; j < vectors[i].Length; j++)
            {
                vectors[i][j] = reader.ReadSingle();
            }
        }

        return vectors;
    }
}
