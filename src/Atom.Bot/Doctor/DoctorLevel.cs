namespace Atom.Bot.Doctor;

/// <summary>How a check of <c>atom doctor</c> ended: fine, worth a look, or something Atom cannot work with.</summary>
public enum DoctorLevel
{
    Ok,
    Warn,
    Fail,
}
