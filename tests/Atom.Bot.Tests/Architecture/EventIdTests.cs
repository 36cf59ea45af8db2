using System.Reflection;
using System.Text;
using Atom.Bot.Configuration;

namespace Atom.Bot.Tests.Architecture;

/// <summary>
/// Every folder logs in its own block of event ids, so an operator can filter by area and two areas never share an id;
/// docs/operations.md shows the blocks as the code uses them.
/// </summary>
public sealed class EventIdTests
{
    private static readonly (string Folder, int From, int To)[] Blocks =
    [
        ("Ingress", 100, 199), ("Tasks", 200, 299), ("Supervisor", 300, 399), ("Approval", 700, 799), ("Proposals", 800, 899),
        ("Jobs", 900, 999), ("Audit", 4000, 4099), ("Workers", 5000, 5099), ("Mcp", 5100, 5199), ("Git", 5200, 5299), ("GitHub", 5300, 5399), ("Retrieval", 5400, 5499),
        ("Certification", 6100, 6199), ("Llm", 7000, 7099), ("Platform", 7100, 7199),
    ];

    private static readonly List<(string Folder, int Id, string Method)> Events = typeof(AtomConfiguration).Assembly.GetTypes()
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Select(m => (Type: t, Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>())))
        .Where(x => x.Attribute is not null)
        .Select(x => (Folder(x.Type), x.Attribute!.EventId, $"{x.Type.Name}.{x.Method.Name}"))
        .ToList();

    [Fact]
    public void Every_event_id_is_unique_and_inside_its_folders_block()
    {
        Events.Count.ShouldBeGreaterThan(50, "the [LoggerMessage] methods are found");
        Events.GroupBy(e => e.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Method))}").ShouldBeEmpty();
        foreach (var (folder, id, method) in Events)
        {
            var block = Blocks.SingleOrDefault(b => b.Folder == folder);
            block.Folder.ShouldNotBeNull($"{folder} logs ({method}) but has no event-id block here");
            id.ShouldBeInRange(block.From, block.To, $"{method} ({folder})");
        }
    }

    [Fact]
    public void The_operations_page_lists_the_blocks_as_the_code_uses_them()
    {
        var table = new StringBuilder("| folder | block | ids in use |\n|---|---|---|\n");
        foreach (var (folder, from, to) in Blocks.Where(b => Events.Any(e => e.Folder == b.Folder)))
        {
            var ids = Events.Where(e => e.Folder == folder).Select(e => e.Id).Order().ToList();
            table.Append($"| `{folder}/` | {from}–{to} | {string.Join(", ", Ranges(ids))} |\n");
        }

        RepositoryFiles.UpdateSectionWhenAsked("docs/operations.md", "event-ids", table.ToString());
        RepositoryFiles.Section("docs/operations.md", "event-ids").ShouldBe(table.ToString(),
            "docs/operations.md's event-ids section must list the blocks as the code uses them: run the tests once with UPDATE_DOCS=1");
    }

    private static string Folder(Type type)
    {
        var ns = type.Namespace ?? "";
        return ns.StartsWith("Atom.Bot.", StringComparison.Ordinal) ? ns["Atom.Bot.".Length..].Split('.')[0] : ns;
    }

    private static IEnumerable<string> Ranges(List<int> ids)
    {
        for (var i = 0; i < ids.Count;)
        {
            var j = i;
            while (j + 1 < ids.Count && ids[j + 1] == ids[j] + 1)
            {
                j++;
            }

            yield return i == j ? $"{ids[i]}" : $"{ids[i]}–{ids[j]}";
            i = j + 1;
        }
    }
}
