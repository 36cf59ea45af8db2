using System.Text.Json;
using System.Text.Json.Serialization;

namespace Atom.Bot.Trial;

/// <summary>
/// What GitHub would remember for <c>atom try</c>: the local issues and pull requests (one numbering, as on GitHub),
/// their comments and labels. Kept as one JSON file beside Atom's data, so that <c>atom try approve</c> finds what
/// <c>atom try "…"</c> opened. Every change is saved before it is answered.
/// </summary>
internal sealed class LocalState
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    public int NextNumber { get; set; } = 1;

    public long NextId { get; set; } = 1000;

    public List<LocalIssue> Issues { get; set; } = [];

    public static LocalState Load(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<LocalState>(File.ReadAllText(path), Json) ?? new LocalState() : new LocalState();

    public void Save(string path)
    {
        // Written aside and moved: a crash mid-write leaves the previous state, never half a file.
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json));
        File.Move(temporary, path, overwrite: true);
    }

    public LocalIssue? Find(int number) => Issues.FirstOrDefault(i => i.Number == number);

    public long NewId() => NextId++;
}

/// <summary>A local issue, or a pull request when <see cref="Head"/> is set.</summary>
internal sealed class LocalIssue
{
    public int Number { get; set; }
    public required string Title { get; set; }
    public string Body { get; set; } = "";
    public required string Author { get; set; }
    public string State { get; set; } = "open";
    public string? Head { get; set; }
    public string? Base { get; set; }
    public bool Draft { get; set; }
    public bool Merged { get; set; }
    public string? MergeCommitSha { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public List<string> Labels { get; set; } = [];
    public List<LocalComment> Comments { get; set; } = [];

    [JsonIgnore]
    public bool IsPullRequest => Head is not null;
}

internal sealed class LocalComment
{
    public long Id { get; set; }
    public required string Author { get; set; }
    public required string Body { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
