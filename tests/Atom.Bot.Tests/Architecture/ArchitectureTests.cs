namespace Atom.Bot.Tests.Architecture;

public sealed class ArchitectureTests(ITestOutputHelper output)
{
    [Fact]
    public void Print_graph()
    {
        var graph = FolderGraph.OfAtom();
        foreach (var folder in graph.Folders)
        {
            output.WriteLine($"{folder} -> {string.Join(", ", graph.Uses(folder))}");
        }

        foreach (var cycle in graph.Cycles())
        {
            output.WriteLine("CYCLE: " + string.Join(", ", cycle));
        }

        foreach (var (from, targets) in graph.Edges.OrderBy(e => e.Key))
        {
            foreach (var (to, examples) in targets.OrderBy(t => t.Key))
            {
                output.WriteLine($"  {from} -> {to}: {string.Join("; ", examples)}");
            }
        }
    }
}
