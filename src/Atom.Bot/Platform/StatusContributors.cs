namespace Atom.Bot.Platform;

/// <summary>Sections other areas add to <c>GET /status</c> (the LLM pool, for one), without the endpoint knowing them.</summary>
public sealed class StatusContributors
{
    private readonly List<(string Name, Func<object> Value)> _sections = [];

    public void Add(string name, Func<object> value) => _sections.Add((name, value));

    public IEnumerable<(string Name, object Value)> Collect() => _sections.Select(s => (s.Name, s.Value()));
}
