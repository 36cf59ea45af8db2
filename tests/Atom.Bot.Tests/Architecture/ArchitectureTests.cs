namespace Atom.Bot.Tests.Architecture;

/// <summary>
/// Data flows one way: the folder graph read from the compiled assembly (<see cref="FolderGraph"/>) has no cycle, the
/// few rules the design names hold, and docs/architecture.md draws the graph the compiler sees.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly FolderGraph Graph = FolderGraph.OfAtom();

    [Fact]
    public void No_folder_depends_on_itself_through_others()
    {
        var cycles = Graph.Cycles();
        cycles.ShouldBeEmpty(string.Join("\n", cycles.Select(c => $"cycle: {string.Join(" ↔ ", c)}; edges: " + string.Join("; ",
            c.SelectMany(from => Graph.Edges[from].Where(e => c.Contains(e.Key)).Select(e => $"{from} → {e.Key} ({string.Join(", ", e.Value)})"))))));
    }

    [Theory]
    [InlineData("Jobs", new[] { "Configuration" })]
    [InlineData("Configuration", new string[0])]
    [InlineData("Storage", new[] { "Configuration" })]
    [InlineData("Tasks", new[] { "Audit", "Configuration", "Git", "GitHub", "Jobs", "Storage", "Telemetry" })]
    [InlineData("Telemetry", new string[0])]
    [InlineData("Retrieval", new[] { "Configuration", "Git" })]
    public void The_lower_folders_use_only_what_the_design_allows(string folder, string[] allowed)
    {
        Graph.Uses(folder).Except(allowed).ShouldBeEmpty($"{folder} may use only {string.Join(", ", allowed)}: " +
            string.Join("; ", Graph.Uses(folder).Except(allowed).Select(u => $"{u} ({string.Join(", ", Graph.Edges[folder][u])})")));
    }

    /// <summary>
    /// <c>Trial/</c> (<c>atom try</c>) is the other composition root: it runs the whole service in its own process
    /// against a local platform, so it may read what an entry point stored (a delivery's outcome), as Program.cs may.
    /// </summary>
    private const string SecondRoot = "Trial";

    [Theory]
    [InlineData("Ingress")]
    [InlineData("Platform")]
    [InlineData(SecondRoot)]
    public void Nothing_uses_an_entry_folder(string entry)
    {
        Graph.Folders.Where(f => f != SecondRoot && Graph.Uses(f).Contains(entry))
            .ShouldBeEmpty($"{entry} is an entry point: only Program.cs (and {SecondRoot}/, which composes the same service for atom try) composes it");
    }

    [Theory]
    [InlineData("Workers", "Supervisor")]
    [InlineData("Tasks", "Supervisor")]
    [InlineData("Supervisor", "Approval")]
    [InlineData("Supervisor", "Proposals")]
    [InlineData("Approval", "Proposals")]
    [InlineData("Certification", "Supervisor")]
    public void A_step_of_the_flow_never_calls_back_up_it(string from, string to)
    {
        Graph.Uses(from).ShouldNotContain(to, $"{from} → {to}: " + (Graph.Edges.TryGetValue(from, out var e) && e.TryGetValue(to, out var why) ? string.Join(", ", why) : ""));
    }

    [Fact]
    public void The_architecture_page_draws_the_graph_the_compiler_sees()
    {
        RepositoryFiles.UpdateSectionWhenAsked("docs/architecture.md", "folder-graph", Graph.MarkdownTable());
        RepositoryFiles.Section("docs/architecture.md", "folder-graph").ShouldBe(Graph.MarkdownTable().ReplaceLineEndings("\n"),
            "docs/architecture.md's folder-graph section must be FolderGraph.MarkdownTable(): run the tests once with UPDATE_DOCS=1 to rewrite it");
    }

    [Fact]
    public void The_graph_is_read_from_method_bodies_and_signatures_alike()
    {
        // Guards the reader itself: TaskSupervisor enqueues RunAssignment only inside a method body, and Assignment
        // holds a Scope only in a property signature; both must show up as edges, or the tests above prove nothing.
        Graph.Uses("Supervisor").ShouldContain("Workers");
        Graph.Edges["Supervisor"]["Workers"].ShouldContain(e => e.Contains("RunAssignment", StringComparison.Ordinal) || e.Contains("TestRunner", StringComparison.Ordinal));
        Graph.Uses("Workers").ShouldContain("Tasks");
        Graph.Folders.Count().ShouldBeGreaterThan(10);
    }
}
