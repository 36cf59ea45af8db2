using System.Text.Json.Nodes;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>The real example data in <c>tests/fixtures/</c>, copied next to the tests.</summary>
public static class Fixtures
{
    public static string Path(params string[] parts) =>
        System.IO.Path.Combine([AppContext.BaseDirectory, "fixtures", .. parts]);

    public static string Text(params string[] parts) => File.ReadAllText(Path(parts));

    /// <summary>A webhook payload example, e.g. <c>Webhook("issues", "labeled")</c>.</summary>
    public static JsonObject Webhook(string @event, string file) =>
        JsonNode.Parse(Text("webhooks", @event, file.EndsWith(".json", StringComparison.Ordinal) ? file : $"{file}.payload.json"))!.AsObject();

    /// <summary>A GitHub REST example response, e.g. <c>Rest("issues_create-comment.201")</c>.</summary>
    public static JsonNode Rest(string name) => JsonNode.Parse(Text("github-rest", "examples", $"{name}.json"))!;
}
