using System.Buffers;
using System.Text;

namespace Atom.Bot.Setup;

/// <summary>
/// An env file of <c>NAME=value</c> lines that <c>set -a; . ./atom.env; set +a</c>, systemd's <c>EnvironmentFile=</c> and
/// Docker's <c>--env-file</c> all read the same way: a value is single-quoted only when it holds a character a shell would
/// treat specially (Docker would keep the quotes, so values it can take plainly stay plain).
/// </summary>
public static class EnvFile
{
    private static readonly SearchValues<char> Plain = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.,/:@%+=");

    public static string Format(string comment, IEnumerable<KeyValuePair<string, string>> values)
    {
        ArgumentNullException.ThrowIfNull(comment);
        ArgumentNullException.ThrowIfNull(values);
        var text = new StringBuilder();
        foreach (var line in comment.Split('\n'))
        {
            text.Append("# ").Append(line).Append('\n');
        }

        foreach (var (name, value) in values)
        {
            text.Append(name).Append('=').Append(Quote(value)).Append('\n');
        }

        return text.ToString();
    }

    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\n', StringComparison.Ordinal) || value.Contains('\r', StringComparison.Ordinal))
        {
            // One line per setting is what every reader of the file agrees on.
            throw new ArgumentException("an env file value cannot span lines", nameof(value));
        }

        return value.Length > 0 && !value.AsSpan().ContainsAnyExcept(Plain) ? value : $"'{value.Replace("'", "'\\''", StringComparison.Ordinal)}'";
    }
}
