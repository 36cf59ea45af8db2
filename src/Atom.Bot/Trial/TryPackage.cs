using System.Net;
using Markdig;

namespace Atom.Bot.Trial;

/// <summary>
/// Writes a certification package (the pull request body Atom wrote) as Markdown and as one HTML page. The page
/// runs nothing and loads nothing: a content security policy forbids scripts and every outside resource, since the
/// package quotes the model, the issue and test output.
/// </summary>
internal static class TryPackage
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    public const string Policy = "default-src 'none'; style-src 'unsafe-inline'";

    public static (string Markdown, string Html) Write(string directory, int pullRequest, string title, string body)
    {
        Directory.CreateDirectory(directory);
        var markdown = Path.Combine(directory, $"package-{pullRequest}.md");
        var html = Path.Combine(directory, $"package-{pullRequest}.html");
        File.WriteAllText(markdown, body);
        File.WriteAllText(html, Html(title, body));
        return (markdown, html);
    }

    public static string Html(string title, string body) => $"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="{Policy}">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{WebUtility.HtmlEncode(title)}</title>
        <style>
        body {"{"} font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1f2328; {"}"}
        table {"{"} border-collapse: collapse; display: block; overflow-x: auto; {"}"}
        th, td {"{"} border: 1px solid #d0d7de; padding: 0.25rem 0.6rem; text-align: left; {"}"}
        pre {"{"} background: #f6f8fa; padding: 0.75rem; overflow-x: auto; {"}"}
        code {"{"} font: 13px ui-monospace, monospace; {"}"}
        </style>
        </head>
        <body>
        <h1>{WebUtility.HtmlEncode(title)}</h1>
        {Markdown.ToHtml(body, Pipeline)}
        </body>
        </html>
        """;
}
