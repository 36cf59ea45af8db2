using System.Data.Common;

namespace Atom.Bot.Storage;

/// <summary>
/// Binding a value by name on any ADO.NET command, null as SQL NULL: the stores are written against
/// <see cref="DbConnection"/> and <see cref="DbCommand"/> rather than one engine's types.
/// </summary>
public static class DbCommandExtensions
{
    public static void Bind(this DbCommand command, string name, object? value)
    {
        ArgumentNullException.ThrowIfNull(command);
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
