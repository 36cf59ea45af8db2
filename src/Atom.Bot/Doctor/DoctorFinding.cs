namespace Atom.Bot.Doctor;

/// <summary>One line of <c>atom doctor</c>: what was checked, what was found, and how to fix it when it is not ok.</summary>
public sealed record DoctorFinding(DoctorLevel Level, string Subject, string Detail, string? Fix = null)
{
    public static DoctorFinding Ok(string subject, string detail) => new(DoctorLevel.Ok, subject, detail);

    public static DoctorFinding Warn(string subject, string detail, string? fix = null) => new(DoctorLevel.Warn, subject, detail, fix);

    public static DoctorFinding Fail(string subject, string detail, string fix) => new(DoctorLevel.Fail, subject, detail, fix);

    public override string ToString()
    {
        var label = Level switch { DoctorLevel.Ok => "ok  ", DoctorLevel.Warn => "warn", _ => "FAIL" };
        return Fix is null ? $"{label} {Subject}: {Detail}" : $"{label} {Subject}: {Detail}\n       fix: {Fix}";
    }
}
