using System.Data.Common;
using System.Text.RegularExpressions;
using Npgsql;

namespace Atom.Bot.Storage;

/// <summary>
/// Binding a value by name on any ADO.NET command, null as SQL NULL: the stores are written against
/// <see cref="DbConnection"/> and <see cref="DbCommand"/> rather than one engine's types, with SQLite's <c>$name</c>
/// placeholders in one query text for both engines.
/// </summary>
public static class DbCommandExtensions
{
    /// <summary>
    /// Adds <paramref name="name"/> (<c>$id</c>) with <paramref name="value"/>. On PostgreSQL, whose driver knows only
    /// <c>@id</c> and <c>$1</c>, the placeholder in the command text is renamed as the parameter is bound, so the text
    /// must be set before its parameters (as every store does).
    /// </summary>
    public static void Bind(this DbCommand command, string name, object? value)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var parameter = command.CreateParameter();
        parameter.Value = value ?? DBNull.Value;
        if (command is NpgsqlCommand && name.StartsWith('$'))
        {
            var bare = name[1..];
            command.CommandText = Regex.Replace(command.CommandText, $@"\${Regex.Escape(bare)}(?![A-Za-z0-9_])", "@" + bare);
            parameter.ParameterName = bare;
        }
        else
        {
            parameter.ParameterName = name;
        }

        command.Parameters.Add(parameter);
    }
}
