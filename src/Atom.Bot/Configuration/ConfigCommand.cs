namespace Atom.Bot.Configuration;

/// <summary><c>atom config</c>: every setting, its effective value (secrets masked) and where it came from.</summary>
public static class ConfigCommand
{
    public static int Run(ConfigurationResult configuration, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var width = configuration.Values.Max(v => v.Variable.Length);
        foreach (var value in configuration.Values)
        {
            var source = value.Source switch
            {
                ConfigurationSource.Environment => "environment",
                ConfigurationSource.WorkingDirectoryFile or ConfigurationSource.UserFile => value.SourcePath!,
                ConfigurationSource.Default => "default",
                _ => "-",
            };
            output.WriteLine($"{value.Variable.PadRight(width)}  {value.Display}  ({source})");
        }

        foreach (var problem in configuration.Errors)
        {
            error.WriteLine($"atom: configuration error: {problem}");
        }

        return configuration.IsValid ? 0 : 2;
    }
}
