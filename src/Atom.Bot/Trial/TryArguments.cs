namespace Atom.Bot.Trial;

public enum TryCommandKind
{
    New,
    Approve,
    Revise,
    Reject,
    Resume,
}

/// <summary>The parsed command line of <c>atom try</c>; <see cref="Error"/> says what is wrong with it.</summary>
internal sealed record TryArguments(TryCommandKind Command, string Repository, string? Branch, string? Text, int? PullRequest, bool Verbose, string? Error)
{
    /// <summary>Parses <paramref name="args"/>; null when there is nothing to run (print the usage).</summary>
    public static TryArguments? Parse(IReadOnlyList<string> args, string workingDirectory)
    {
        if (args.Count == 0 || args.Any(a => a is "--help" or "-h"))
        {
            return null;
        }

        string repository = workingDirectory;
        string? branch = null, issueFile = null;
        int? pull = null;
        var verbose = false;
        var words = new List<string>();
        var command = TryCommandKind.New;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? Value() => i + 1 < args.Count ? args[++i] : null;
            switch (arg)
            {
                case "--repo":
                    repository = Value() is { } path ? Path.GetFullPath(path, workingDirectory) : "";
                    break;
                case "--branch":
                    branch = Value();
                    break;
                case "--issue-file":
                    issueFile = Value() is { } file ? Path.GetFullPath(file, workingDirectory) : "";
                    break;
                case "--pull":
                    pull = int.TryParse(Value(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : -1;
                    break;
                case "--verbose":
                    verbose = true;
                    break;
                default:
                    if (arg.StartsWith("--", StringComparison.Ordinal))
                    {
                        return Fail($"unknown option {arg}");
                    }

                    // The first word names the command when it is one of them (options may come before it).
                    if (words.Count == 0 && command == TryCommandKind.New && arg is "approve" or "revise" or "reject" or "resume")
                    {
                        command = Enum.Parse<TryCommandKind>(arg, ignoreCase: true);
                    }
                    else
                    {
                        words.Add(arg);
                    }

                    break;
            }
        }

        TryArguments Fail(string error) => new(command, repository, branch, null, null, verbose, error);
        if (repository.Length == 0 || branch is { Length: 0 } || issueFile is { Length: 0 } || pull == -1)
        {
            return Fail("an option is missing its value (--repo PATH, --branch NAME, --issue-file FILE, --pull N)");
        }

        var text = string.Join(' ', words).Trim();
        if (issueFile is not null)
        {
            if (command != TryCommandKind.New || text.Length > 0)
            {
                return Fail("--issue-file replaces the issue text: give one or the other");
            }

            if (!File.Exists(issueFile))
            {
                return Fail($"{issueFile} does not exist");
            }

            text = File.ReadAllText(issueFile).Trim();
        }

        return command switch
        {
            TryCommandKind.New when text.Length == 0 => Fail("say what the issue is: atom try \"Add a --json flag to the export command\""),
            TryCommandKind.New when pull is not null => Fail("--pull goes with approve, revise or reject"),
            TryCommandKind.Revise when text.Length == 0 => Fail("say what to change: atom try revise \"Keep the old name as an alias\""),
            TryCommandKind.Approve or TryCommandKind.Resume when text.Length > 0 => Fail($"{command.ToString().ToLowerInvariant()} takes no text"),
            TryCommandKind.Resume when pull is not null => Fail("resume takes no --pull: it carries on with the newest issue"),
            _ => new TryArguments(command, repository, branch, text.Length == 0 ? null : text, pull, verbose, null),
        };
    }
}
