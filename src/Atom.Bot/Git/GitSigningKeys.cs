using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Atom.Bot.Git;

/// <summary>
/// The SSH signing key at <c>ATOM_DATA_DIR/keys/git-signing</c>: an ed25519 key made with <c>ssh-keygen</c> the first time
/// it is needed (mode 0600, no passphrase: the service signs unattended), read afterwards. Two processes on one keys
/// directory both make a key in a file of their own and move it into place with a rename that fails if the other won.
/// </summary>
internal sealed class GitSigningKeys(GitOptions options, ILogger logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public void Dispose() => _gate.Dispose();

    public async Task<SshSigningKey> EnsureAsync(CancellationToken cancellationToken)
    {
        var path = options.SigningKeyPath;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!File.Exists(path))
            {
                await CreateAsync(path, cancellationToken);
            }

            return await ReadAsync(path, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task CreateAsync(string path, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".git-signing-{Guid.NewGuid():N}");
        try
        {
            await RunAsync(["-q", "-t", "ed25519", "-N", "", "-C", $"{options.AuthorName} commit signing", "-f", temporary], cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                // ssh-keygen writes 0600 already; said again, whatever its version or the umask.
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            File.Move(temporary + ".pub", path + ".pub", overwrite: true);
            try
            {
                File.Move(temporary, path, overwrite: false);
                Log.SigningKeyCreated(logger, path);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process made the key first: its public half is the one to keep.
                File.WriteAllText(path + ".pub", await PublicKeyOfAsync(path, cancellationToken));
            }
        }
        finally
        {
            File.Delete(temporary);
            File.Delete(temporary + ".pub");
        }
    }

    private static async Task<SshSigningKey> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var mode = OperatingSystem.IsWindows() ? UnixFileMode.None : File.GetUnixFileMode(path);
        if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
        {
            throw new GitCommandException($"the git signing key {path} can be read by others (mode {Convert.ToString((int)mode, 8)}); make it 0600");
        }

        // The public half is derived from the private key, so a .pub file someone replaced cannot mislead.
        var publicKey = await PublicKeyOfAsync(path, cancellationToken);
        var fingerprint = (await RunAsync(["-l", "-E", "sha256", "-f", path], cancellationToken)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fingerprint.Length < 2)
        {
            throw new GitCommandException($"ssh-keygen gave no fingerprint for {path}");
        }

        return new SshSigningKey(path, publicKey, fingerprint[1]);
    }

    private static async Task<string> PublicKeyOfAsync(string path, CancellationToken cancellationToken) =>
        (await RunAsync(["-y", "-f", path], cancellationToken)).Trim();

    private static async Task<string> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("ssh-keygen")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var path = start.Environment.TryGetValue("PATH", out var p) ? p : null;
        start.Environment.Clear();
        start.Environment["PATH"] = path;
        start.Environment["LC_ALL"] = "C";
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new GitCommandException(
                "ssh-keygen was not found: signing commits with SSH (ATOM_GIT_SIGNING=ssh, or auto on a branch that requires signatures without a GitHub App) needs OpenSSH's ssh-keygen on the PATH (Debian: apt-get install openssh-client)",
                ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            return process.ExitCode == 0
                ? await stdout
                : throw new GitCommandException($"ssh-keygen {arguments[0]} failed ({process.ExitCode}): {(await stderr).Trim()}");
        }
    }
}
