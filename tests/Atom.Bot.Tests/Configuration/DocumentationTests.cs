using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Atom.Bot.Configuration;
using YamlDotNet.Serialization.NamingConventions;

namespace Atom.Bot.Tests.Configuration;

/// <summary>
/// The documentation cannot drift from the code: every setting the code defines is documented with its default,
/// no page names a setting the code does not know, and the examples are valid configurations.
/// </summary>
public sealed partial class DocumentationTests
{
    private static readonly DirectoryInfo Root = RepositoryFiles.Root;
    private static readonly string[] VariableTables = ["README.md", "docs/configuration.md"];
    private static readonly string[] PagesNamingVariables =
        ["README.md", "docs/architecture.md", "docs/configuration.md", "docs/security.md", "docs/operations.md", "docs/llm.md",
         "examples/atom.env.example", "examples/docker-compose.yml", "Dockerfile"];

    public static TheoryData<string> Variables => new(AtomConfiguration.Settings.Select(s => s.Variable));

    public static TheoryData<string> RepositoryKeys => new(RepoSettingKeys().Select(k => k.Key));

    [Theory]
    [MemberData(nameof(Variables))]
    public void Every_variable_is_in_the_README_and_the_configuration_reference_with_its_default(string variable)
    {
        var setting = AtomConfiguration.Settings.Single(s => s.Variable == variable);
        foreach (var page in VariableTables)
        {
            var row = TableRow(page, $"`{variable}`");
            var documented = row["default"];
            if (setting.Default is null)
            {
                documented.ShouldMatch("unset|none|`ATOM_[A-Z_]+`", $"{page}: {variable} has no default in code");
            }
            else
            {
                documented.ShouldContain($"`{AsDocumented(setting.Default)}`", Case.Sensitive, $"{page}: the default of {variable}");
            }

            if (setting.IsSecret)
            {
                string.Join(" ", row.Values).ShouldContain("secret", Case.Sensitive, $"{page}: {variable} is a secret");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Variables))]
    public void The_configuration_reference_gives_each_variable_its_yaml_key_and_kind(string variable)
    {
        var setting = AtomConfiguration.Settings.Single(s => s.Variable == variable);
        var row = TableRow("docs/configuration.md", $"`{variable}`");

        row["YAML key"].ShouldBe($"`{setting.YamlKey}`");
        var kind = row["kind"];
        kind.Contains("secret", StringComparison.Ordinal).ShouldBe(setting.IsSecret, $"{variable}: secret");
        kind.Contains("required", StringComparison.Ordinal).ShouldBe(setting.Required, $"{variable}: required");
        kind.ShouldStartWith(setting.Kind switch
        {
            SettingKind.Url => "URL",
            SettingKind.PositiveInteger => "positive number",
            SettingKind.NonNegativeInteger => "number",
            _ => "text",
        });
    }

    [Fact]
    public void No_page_names_a_variable_the_code_does_not_define()
    {
        var known = AtomConfiguration.Settings.Select(s => s.Variable).ToHashSet(StringComparer.Ordinal);
        foreach (var page in PagesNamingVariables)
        {
            foreach (Match match in VariableName().Matches(Read(page)))
            {
                var name = match.Value;
                var ok = name.EndsWith('*')
                    ? known.Any(k => k.StartsWith(name[..^1], StringComparison.Ordinal))
                    : known.Contains(name);
                ok.ShouldBeTrue($"{page} names {name}, which AtomConfiguration.Settings does not define");
            }
        }
    }

    [Fact]
    public void The_example_environment_file_lists_every_variable_and_is_a_valid_configuration()
    {
        var lines = Read("examples/atom.env.example").Split('\n');
        foreach (var setting in AtomConfiguration.Settings)
        {
            lines.ShouldContain(l => Regex.IsMatch(l, $@"^#?\s*{setting.Variable}="), $"examples/atom.env.example lacks {setting.Variable}");
        }

        var environment = lines
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => (string?)p[1], StringComparer.Ordinal);
        using var empty = new TemporaryDirectory();
        var result = AtomConfiguration.Load(environment, empty.Path, empty.Path);

        result.Errors.ShouldBeEmpty();
        foreach (var setting in AtomConfiguration.Settings.Where(s => !s.IsSecret && environment.GetValueOrDefault(s.Variable) is { Length: > 0 }))
        {
            environment[setting.Variable].ShouldBe(setting.Default, $"examples/atom.env.example: the default of {setting.Variable}");
        }
    }

    [Theory]
    [MemberData(nameof(RepositoryKeys))]
    public void Every_repository_setting_is_documented_with_its_default(string key)
    {
        var value = RepoSettingKeys().Single(k => k.Key == key).Default;
        foreach (var page in new[] { "README.md", "docs/configuration.md" })
        {
            var documented = TableRow(page, $"`{key}`")["default"];
            if (value is null)
            {
                documented.ShouldBe("unset", $"{page}: {key}");
            }
            else
            {
                Compact(documented).ShouldBe($"`{Compact(Format(value))}`", $"{page}: the default of {key}");
            }
        }

        var example = Read("examples/.github/atom.yml");
        var leaf = key.Split('.')[^1];
        Regex.IsMatch(example, $@"(?m)^\s*#?\s*{Regex.Escape(leaf)}:").ShouldBeTrue($"examples/.github/atom.yml lacks {key}");
    }

    [Fact]
    public void The_example_repository_settings_are_valid_and_equal_the_defaults()
    {
        var result = RepoSettingsParser.Parse(Read("examples/.github/atom.yml"));

        result.Error.ShouldBeNull();
        JsonSerializer.Serialize(result.Settings).ShouldBe(JsonSerializer.Serialize(RepoSettings.Defaults));
    }

    /// <summary>Every key of <c>.github/atom.yml</c> as the parser spells it (<c>scope.max_files</c>), with its default.</summary>
    private static IEnumerable<(string Key, object? Default)> RepoSettingKeys()
    {
        static IEnumerable<(string, object?)> Walk(object instance, string prefix)
        {
            foreach (var property in instance.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var key = prefix + UnderscoredNamingConvention.Instance.Apply(property.Name);
                var value = property.GetValue(instance);
                var type = property.PropertyType;
                if (type.Namespace == typeof(RepoSettings).Namespace && value is not null)
                {
                    foreach (var nested in Walk(value, key + "."))
                    {
                        yield return nested;
                    }
                }
                else
                {
                    yield return (key, value);
                }
            }
        }

        return Walk(RepoSettings.Defaults, "");
    }

    private static string Format(object value) => value switch
    {
        bool b => b ? "true" : "false",
        string s => s,
        IEnumerable list => "[" + string.Join(",", list.Cast<object>().Select(o => $"\"{o}\"")) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };

    private static string Compact(string text) => text.Replace(" ", "", StringComparison.Ordinal);

    /// <summary>A code default as the documentation writes it: the home directory as <c>~</c>.</summary>
    private static string AsDocumented(string value)
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return value.StartsWith(home + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? "~" + value[home.Length..] : value;
    }

    /// <summary>The cells of the table row whose first cell is <paramref name="firstCell"/>, by column header.</summary>
    private static Dictionary<string, string> TableRow(string page, string firstCell)
    {
        var lines = Read(page).Split('\n');
        var index = Array.FindIndex(lines, l => l.StartsWith('|') && Cells(l)[0] == firstCell);
        index.ShouldBeGreaterThanOrEqualTo(0, $"{page} has no table row for {firstCell}");
        var header = index;
        while (header > 0 && lines[header - 1].StartsWith('|'))
        {
            header--;
        }

        var names = Cells(lines[header]);
        var cells = Cells(lines[index]);
        cells.Length.ShouldBe(names.Length, $"{page}: the row for {firstCell} has the wrong number of cells");
        return names.Zip(cells).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
    }

    private static string[] Cells(string line) =>
        line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();

    private static string Read(string relativePath) => File.ReadAllText(Path.Combine(Root.FullName, relativePath));

    [GeneratedRegex(@"ATOM_[A-Z0-9_]+\*?")]
    private static partial Regex VariableName();

    private sealed class TemporaryDirectory : IDisposable
    {
        private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("atom-docs-");

        public string Path => _directory.FullName;

        public void Dispose() => _directory.Delete(recursive: true);
    }
}
