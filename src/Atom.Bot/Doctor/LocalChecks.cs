using System.Data.Common;
using Atom.Bot.Audit;
using Atom.Bot.Configuration;
using Atom.Bot.Storage;
using Atom.Bot.Workers;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Atom.Bot.Doctor;

/// <summary>What <c>atom doctor</c> checks on this machine: the data directory, the keys, the store, the job storage, the sandbox.</summary>
public static class LocalChecks
{
    private const UnixFileMode OthersMayRead = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static async Task<IReadOnlyList<DoctorFinding>> RunAsync(AtomOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var findings = new List<DoctorFinding> { DataDirectory(options.DataDir), AuditKey(AuditOptions.From(options).KeyDirectory) };
        if (options.GitHubAppPrivateKeyPath is { } appKey)
        {
            findings.Add(AppKey(appKey));
        }

        findings.Add(await StoreAsync(options, cancellationToken));
        if (options.UsesPostgreSql)
        {
            findings.Add(await JobStorageAsync(options.JobStorage, cancellationToken));
        }

        findings.Add(await SandboxAsync(options, cancellationToken));
        findings.Add(string.IsNullOrEmpty(options.DashboardToken)
            ? DoctorFinding.Warn("dashboard", "ATOM_DASHBOARD_TOKEN is not set: /jobs, /metrics and /ui are off", "set ATOM_DASHBOARD_TOKEN (e.g. `openssl rand -hex 32`) to open them to whoever holds it")
            : DoctorFinding.Ok("dashboard", "/jobs, /metrics and /ui open to ATOM_DASHBOARD_TOKEN"));
        return findings;
    }

    internal static DoctorFinding DataDirectory(string path)
    {
        const string subject = "data directory";
        if (!Directory.Exists(path))
        {
            var parent = Path.GetDirectoryName(Path.GetFullPath(path));
            return parent is not null && Directory.Exists(parent) && IsWritable(parent)
                ? DoctorFinding.Ok(subject, $"{path} does not exist yet; Atom makes it on first start")
                : DoctorFinding.Fail(subject, $"{path} does not exist and cannot be made", $"create it for the user Atom runs as (`mkdir -p {path} && chmod 700 {path}`), or set ATOM_DATA_DIR");
        }

        if (!IsWritable(path))
        {
            return DoctorFinding.Fail(subject, $"{path} is not writable by this user", $"give it to the user Atom runs as (`chown` it), or set ATOM_DATA_DIR");
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & OthersMayRead) != 0)
        {
            return DoctorFinding.Warn(subject, $"{path} is open to other users (it holds the signing keys and the store)", $"chmod 700 {path}");
        }

        return DoctorFinding.Ok(subject, $"{path}, writable, private");
    }

    internal static DoctorFinding AuditKey(string keyDirectory)
    {
        const string subject = "audit key";
        var path = Path.Combine(keyDirectory, "audit.key");
        if (!File.Exists(path))
        {
            return DoctorFinding.Ok(subject, $"none yet at {path}; Atom makes one on first start (back the keys directory up then)");
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & OthersMayRead) != 0)
        {
            return DoctorFinding.Fail(subject, $"{path} is readable by other users: anyone who reads it can sign audit entries", $"chmod 600 {path}");
        }

        return DoctorFinding.Ok(subject, $"{path}, mode 0600");
    }

    internal static DoctorFinding AppKey(string path)
    {
        const string subject = "GitHub App key";
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return DoctorFinding.Fail(subject, $"{path} cannot be read ({e.GetType().Name})", "point ATOM_GITHUB_APP_PRIVATE_KEY_PATH at the .pem file GitHub gave you, readable by Atom's user");
        }

        try
        {
            using var rsa = System.Security.Cryptography.RSA.Create();
            rsa.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            return DoctorFinding.Fail(subject, $"{path} holds no RSA private key in PEM form", "generate a private key in the App's settings and save the downloaded .pem as it is");
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & OthersMayRead) != 0)
        {
            return DoctorFinding.Warn(subject, $"{path} is readable by other users", $"chmod 600 {path}");
        }

        return DoctorFinding.Ok(subject, $"{path}, an RSA key, private");
    }

    private static async Task<DoctorFinding> StoreAsync(AtomOptions options, CancellationToken cancellationToken)
    {
        const string subject = "database";
        if (options.Database is null && !File.Exists(options.DatabasePath))
        {
            return DoctorFinding.Ok(subject, $"SQLite at {options.DatabasePath}, made on first start");
        }

        var where = options.Database is { } postgres ? $"PostgreSQL ({Redaction.ConnectionString(postgres)})" : $"SQLite at {options.DatabasePath}";
        await using var database = AtomDatabase.For(options);
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or ArgumentException)
        {
            return DoctorFinding.Fail(subject, $"{where} cannot be opened: {Redaction.Redact(e.Message, options.Secrets())}", "check ATOM_DATABASE (host, port, database, user, password) and that the server accepts this machine");
        }

        return await database.IsReachableAsync(cancellationToken)
            ? DoctorFinding.Ok(subject, $"{where}, reachable, migrated")
            : DoctorFinding.Ok(subject, $"{where}, reachable; Atom makes its tables on first start");
    }

    private static async Task<DoctorFinding> JobStorageAsync(string connectionString, CancellationToken cancellationToken)
    {
        const string subject = "job storage";
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or ArgumentException)
        {
            return DoctorFinding.Fail(subject, $"PostgreSQL ({Redaction.ConnectionString(connectionString)}) cannot be opened: {Redaction.Redact(e.Message, [connectionString])}", "check ATOM_JOB_STORAGE (or ATOM_DATABASE, which it follows), or set ATOM_JOB_STORAGE=memory for one instance");
        }

        return DoctorFinding.Ok(subject, $"PostgreSQL ({Redaction.ConnectionString(connectionString)}), shared by every instance");
    }

    private static async Task<DoctorFinding> SandboxAsync(AtomOptions options, CancellationToken cancellationToken)
    {
        const string subject = "test sandbox";
        if (options.Sandbox == SandboxMode.None)
        {
            return DoctorFinding.Warn(subject, "ATOM_SANDBOX=none: test commands the model wrote run as Atom itself, with its files and network", "install bubblewrap and unset ATOM_SANDBOX");
        }

        using var sandbox = TestSandbox.For(SandboxOptions.From(options), NullLogger<TestSandbox>.Instance);
        var status = await sandbox.CheckAsync(cancellationToken);
        return status.Available
            ? DoctorFinding.Ok(subject, "bubblewrap can make its namespaces; test commands run sandboxed")
            : DoctorFinding.Fail(subject, $"bubblewrap cannot run here: {status.Reason}", "install bubblewrap (`apt-get install -y bubblewrap`); in a container allow user namespaces (docs/security.md)");
    }

    private static bool IsWritable(string directory)
    {
        var probe = Path.Combine(directory, $".atom-doctor-{Guid.NewGuid():N}");
        try
        {
            using (File.Create(probe))
            {
            }

            File.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
