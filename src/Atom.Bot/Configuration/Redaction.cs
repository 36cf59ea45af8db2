using System.Text.RegularExpressions;

namespace Atom.Bot.Configuration;

/// <summary>
/// Removes secrets from text that leaves the process (logs, comments, PR bodies, audit entries).
/// </summary>
/// <remarks>
/// A secret is masked wherever it occurs when it is long enough not to be an ordinary word
/// (<see cref="ShortSecretLength"/> characters or more). A shorter one (a local model server's key is often <c>test</c>)
/// is masked in free text only where it stands as a word of its own, never inside another word, and never in an
/// identifier: masking <c>test</c> inside <c>atom/issue-3/add-test-helpers</c> breaks the branch, not a leak.
/// Anything shaped like a GitHub token or an OpenAI-style key is masked everywhere, whoever wrote it.
/// </remarks>
public static partial class Redaction
{
    public const string Mask = "***";

    /// <summary>Secrets shorter than this are masked as whole words in free text only.</summary>
    public const int ShortSecretLength = 12;

    /// <summary>Secrets shorter than this are never masked: they would mask ordinary letters.</summary>
    private const int MinimumSecretLength = 4;

    /// <summary>
    /// JSON property names (camelCase, as payloads and packages serialize) whose values are identifiers Atom builds or
    /// reads (branches, SHAs, paths, logins, URLs) or the issue's title as its author wrote it on GitHub, where it is
    /// public already. <see cref="RedactField"/> treats their values with <see cref="RedactIdentifier"/>.
    /// </summary>
    private static readonly HashSet<string> IdentifierFields = new(StringComparer.Ordinal)
    {
        "repository", "owner", "name", "branch", "defaultBranch", "base", "head", "headSha", "sha", "baseSha", "previous",
        "certified", "mergeCommit", "commit", "path", "oldPath", "paths", "file", "files", "login", "actor", "by",
        "approvers", "approvedBy", "requestedBy", "url", "htmlUrl", "keyId", "headHash", "changeHash", "verifyCommand",
        "issueTitle",
    };

    /// <summary>Free text: long secrets anywhere, short ones where they stand as a word, token-shaped strings anywhere.</summary>
    public static string Redact(string text, IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(secrets);
        foreach (var secret in secrets)
        {
            if (secret.Length >= ShortSecretLength)
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
            else if (secret.Length >= MinimumSecretLength)
            {
                text = ReplaceWord(text, secret);
            }
        }

        return TokenShape().Replace(text, Mask);
    }

    /// <summary>
    /// An identifier (branch, SHA, path, login, URL): long secrets and token-shaped strings are still masked, because
    /// they can only be there by leaking, but a short secret is an ordinary word here and is left alone.
    /// </summary>
    public static string RedactIdentifier(string text, IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(secrets);
        foreach (var secret in secrets)
        {
            if (secret.Length >= ShortSecretLength)
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        return TokenShape().Replace(text, Mask);
    }

    /// <summary>The value of the JSON property <paramref name="field"/>: an identifier when the name says so, free text otherwise.</summary>
    public static string RedactField(string? field, string text, IEnumerable<string> secrets) =>
        field is not null && IdentifierFields.Contains(field) ? RedactIdentifier(text, secrets) : Redact(text, secrets);

    /// <summary>True when <paramref name="secret"/> is short enough to be masked only as a whole word (see the remarks).</summary>
    public static bool IsShort(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return secret.Length < ShortSecretLength;
    }

    /// <summary>A PostgreSQL connection string with its password masked.</summary>
    public static string ConnectionString(string value) =>
        PasswordPair().Replace(value, m => m.Groups[1].Value + Mask);

    /// <summary>Replaces <paramref name="word"/> where neither neighbour continues a word (letters, digits, '_' and '-').</summary>
    private static string ReplaceWord(string text, string word)
    {
        var start = text.IndexOf(word, StringComparison.Ordinal);
        if (start < 0)
        {
            return text;
        }

        var result = new System.Text.StringBuilder(text.Length);
        var copied = 0;
        for (; start >= 0; start = text.IndexOf(word, start + 1, StringComparison.Ordinal))
        {
            var end = start + word.Length;
            if (start < copied || (start > 0 && IsWordCharacter(text[start - 1])) || (end < text.Length && IsWordCharacter(text[end])))
            {
                continue;
            }

            result.Append(text, copied, start - copied).Append(Mask);
            copied = end;
        }

        return result.Append(text, copied, text.Length - copied).ToString();
    }

    private static bool IsWordCharacter(char c) => char.IsLetterOrDigit(c) || c is '_' or '-';

    [GeneratedRegex(@"\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|sk-[A-Za-z0-9_-]{20,})")]
    private static partial Regex TokenShape();

    [GeneratedRegex(@"((?:password|pwd)\s*=\s*)[^;]*", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordPair();
}
