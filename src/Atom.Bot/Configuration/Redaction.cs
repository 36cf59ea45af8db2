using System.Text.RegularExpressions;

namespace Atom.Bot.Configuration;

/// <summary>Removes secrets from text that leaves the process (logs, comments, PR bodies, audit entries).</summary>
public static partial class Redaction
{
    public const string Mask = "***";

    public static string Redact(string text, IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var secret in secrets)
        {
            if (secret.Length >= 4)
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        return TokenShape().Replace(text, Mask);
    }

    /// <summary>A PostgreSQL connection string with its password masked.</summary>
    public static string ConnectionString(string value) =>
        PasswordPair().Replace(value, m => m.Groups[1].Value + Mask);

    [GeneratedRegex(@"\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|sk-[A-Za-z0-9_-]{20,})")]
    private static partial Regex TokenShape();

    [GeneratedRegex(@"((?:password|pwd)\s*=\s*)[^;]*", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordPair();
}
