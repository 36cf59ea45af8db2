namespace Atom.Bot.Approval;

/// <summary>One command line of a comment: the command and the text after it (its argument, possibly empty).</summary>
public sealed record SlashCommand(SlashCommandKind Kind, string Argument)
{
    /// <summary>Anyone may ask for these; every other command needs an approver.</summary>
    public bool IsForAnyone => Kind is SlashCommandKind.Status or SlashCommandKind.Help;

    /// <summary>Commands honoured on the task's issue as well as on its pull request.</summary>
    public bool WorksOnIssue => Kind is SlashCommandKind.Status or SlashCommandKind.Cancel or SlashCommandKind.Retry or SlashCommandKind.Help;

    public string Name => "/" + Kind.ToString().ToLowerInvariant();

    /// <summary>
    /// The commands of a comment: one per line, case-insensitive, leading spaces allowed, the rest of the line is the
    /// argument. Lines that are not commands (prose, quotes, code) are ignored; so is <c>/approved</c> or <c>/approve!</c>.
    /// </summary>
    public static IReadOnlyList<SlashCommand> Parse(string? body)
    {
        var commands = new List<SlashCommand>();
        var inFence = false;
        foreach (var raw in (body ?? "").ReplaceLineEndings("\n").Split('\n'))
        {
            var line = raw.TrimStart(' ', '\t');
            if (line.StartsWith("```", StringComparison.Ordinal) || line.StartsWith("~~~", StringComparison.Ordinal))
            {
                inFence = !inFence;
                continue;
            }

            if (inFence || !line.StartsWith('/'))
            {
                continue;
            }

            var end = line.IndexOfAny([' ', '\t']);
            var word = end < 0 ? line[1..] : line[1..end];
            if (Enum.TryParse<SlashCommandKind>(word, ignoreCase: true, out var kind) && word.All(char.IsAsciiLetter))
            {
                commands.Add(new SlashCommand(kind, end < 0 ? "" : line[end..].Trim()));
            }
        }

        return commands;
    }

    public const string HelpTable = """
        | command | who | effect |
        |---|---|---|
        | `/approve` | approver | approve the package at the current head SHA |
        | `/reject [reason]` | approver | close the PR unmerged, mark the task rejected |
        | `/revise <feedback>` | approver | worker revises the same branch with the feedback; new package |
        | `/retry` | approver | re-run a failed or cancelled job |
        | `/cancel` | approver | stop the task's running jobs |
        | `/status` | anyone | reply with the task's state, jobs, package, approvals |
        | `/help` | anyone | reply with this table |

        A review with state *approved* counts as `/approve`, *changes requested* as `/revise <review body>`. An approval
        counts only for the head SHA it was given on; a new push makes it stale.
        """;
}
