using Atom.Bot.Doctor;

namespace Atom.Bot.Tests.Doctor;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LocalChecksTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("atom-doctor-local-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void An_audit_key_others_can_read_fails_with_the_chmod()
    {
        var key = Path.Combine(_directory, "audit.key");
        File.WriteAllText(key, "key");
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var finding = LocalChecks.AuditKey(_directory);

        finding.Level.ShouldBe(DoctorLevel.Fail);
        finding.Fix.ShouldBe($"chmod 600 {key}");

        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        LocalChecks.AuditKey(_directory).Level.ShouldBe(DoctorLevel.Ok);
    }

    [Fact]
    public void A_data_directory_open_to_others_is_a_warning_and_a_private_one_ok()
    {
        File.SetUnixFileMode(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        LocalChecks.DataDirectory(_directory).Level.ShouldBe(DoctorLevel.Warn);

        File.SetUnixFileMode(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        LocalChecks.DataDirectory(_directory).Level.ShouldBe(DoctorLevel.Ok);
    }

    [Fact]
    public void A_file_that_is_no_private_key_fails_for_the_app_key()
    {
        var pem = Path.Combine(_directory, "app.pem");
        File.WriteAllText(pem, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");

        var finding = LocalChecks.AppKey(pem);

        finding.Level.ShouldBe(DoctorLevel.Fail);
        finding.Detail.ShouldContain("holds no RSA private key");
        LocalChecks.AppKey(Path.Combine(_directory, "missing.pem")).Level.ShouldBe(DoctorLevel.Fail);
    }
}
