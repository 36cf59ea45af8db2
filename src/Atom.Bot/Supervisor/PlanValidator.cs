using System.Text.Json;
using Atom.Bot.Tasks;
using Atom.Bot.Workers;

namespace Atom.Bot.Supervisor;

/// <summary>
/// Checks the model's plan JSON and turns it into a <see cref="Plan"/>: 1..max assignments, every scope narrowed to the
/// repository scope (never widened), and assignments whose write scopes could overlap merged into one, so that no two
/// workers ever write the same file.
/// </summary>
public static class PlanValidator
{
    public const string SchemaName = "atom_plan";

    /// <summary>At most this many missing skills are kept from one plan; a plan is not a wish list.</summary>
    public const int MaxMissingSkills = 5;

    public const string Schema = """
        {
          "type": "object",
          "additionalProperties": false,
          "required": ["rationale", "assignments", "missing_skills"],
          "properties": {
            "rationale": { "type": "string" },
            "missing_skills": { "type": "array", "items": { "type": "string" } },
            "assignments": {
              "type": "array",
              "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["title", "instructions", "scope"],
                "properties": {
                  "title": { "type": "string" },
                  "instructions": { "type": "string" },
                  "scope": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["allow", "deny"],
                    "properties": {
                      "allow": { "type": "array", "items": { "type": "string" } },
                      "deny": { "type": "array", "items": { "type": "string" } }
                    }
                  }
                }
              }
            }
          }
        }
        """;

    /// <summary>The shape check the LLM pool runs on each reply: an error the model can act on, or null.</summary>
    public static string? Check(JsonElement plan, int maxAssignments)
    {
        if (plan.ValueKind != JsonValueKind.Object)
        {
            return "the plan must be a JSON object";
        }

        if (!plan.TryGetProperty("rationale", out var rationale) || rationale.ValueKind != JsonValueKind.String)
        {
            return "\"rationale\" must be a string";
        }

        if (!plan.TryGetProperty("assignments", out var assignments) || assignments.ValueKind != JsonValueKind.Array)
        {
            return "\"assignments\" must be an array";
        }

        // Required by the strict schema, optional in the text fallback: a plan without it names no missing skill.
        if (plan.TryGetProperty("missing_skills", out var missing)
            && (missing.ValueKind != JsonValueKind.Array || missing.EnumerateArray().Any(m => m.ValueKind != JsonValueKind.String)))
        {
            return "\"missing_skills\" must be an array of skill names (strings), empty when no skill is missing";
        }

        var count = assignments.GetArrayLength();
        if (count < 1 || count > maxAssignments)
        {
            return $"a plan has between 1 and {maxAssignments} assignments, this one has {count}";
        }

        var index = 0;
        foreach (var a in assignments.EnumerateArray())
        {
            index++;
            if (a.ValueKind != JsonValueKind.Object)
            {
                return $"assignment {index} must be an object";
            }

            if (!NonEmptyString(a, "title") || !NonEmptyString(a, "instructions"))
            {
                return $"assignment {index} needs a non-empty \"title\" and \"instructions\"";
            }

            if (!a.TryGetProperty("scope", out var scope) || scope.ValueKind != JsonValueKind.Object
                || !StringArray(scope, "allow", required: true) || !StringArray(scope, "deny", required: false))
            {
                return $"assignment {index} needs \"scope\": {{\"allow\": [globs], \"deny\": [globs]}} with at least one allow glob";
            }
        }

        return null;
    }

    /// <summary>Builds the plan from JSON that passed <see cref="Check"/>.</summary>
    public static Plan Build(JsonElement plan, Scope repositoryScope)
    {
        ArgumentNullException.ThrowIfNull(repositoryScope);
        var assignments = plan.GetProperty("assignments").EnumerateArray().Select(a =>
        {
            var scope = a.GetProperty("scope");
            var requested = new Scope(
                Strings(scope, "allow"),
                Strings(scope, "deny"),
                repositoryScope.MaxFiles,
                repositoryScope.MaxChangedLines);
            return new PlannedAssignment(a.GetProperty("title").GetString()!.Trim(), a.GetProperty("instructions").GetString()!.Trim(), requested.NarrowTo(repositoryScope));
        }).ToList();
        return new Plan(plan.GetProperty("rationale").GetString()!.Trim(), MergeOverlapping(assignments)) { MissingSkills = MissingSkills(plan) };
    }

    /// <summary>The plan's missing skills as plain skill names: normalised, each once, names that are no name dropped, at most <see cref="MaxMissingSkills"/>.</summary>
    public static IReadOnlyList<string> MissingSkills(JsonElement plan) =>
        plan.TryGetProperty("missing_skills", out var missing) && missing.ValueKind == JsonValueKind.Array
            ? missing.EnumerateArray()
                .Where(m => m.ValueKind == JsonValueKind.String)
                .Select(m => SkillNames.NormaliseName(m.GetString()))
                .OfType<string>()
                .Distinct(StringComparer.Ordinal)
                .Take(MaxMissingSkills)
                .ToList()
            : [];

    /// <summary>The plan used when the model gives no valid plan: the whole issue as one assignment with the repository scope.</summary>
    public static Plan Fallback(string title, string reason, Scope repositoryScope) =>
        new("One assignment covering the whole issue.", [new PlannedAssignment(title, "Resolve the issue as described.", repositoryScope)], reason);

    /// <summary>Merges every group of assignments whose allow globs could match a common path (union-find over pairs).</summary>
    public static IReadOnlyList<PlannedAssignment> MergeOverlapping(IReadOnlyList<PlannedAssignment> assignments)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        var parent = Enumerable.Range(0, assignments.Count).ToArray();
        int Find(int i) => parent[i] == i ? i : parent[i] = Find(parent[i]);
        for (var i = 0; i < assignments.Count; i++)
        {
            for (var j = i + 1; j < assignments.Count; j++)
            {
                if (MayOverlap(assignments[i].Scope, assignments[j].Scope))
                {
                    parent[Find(j)] = Find(i);
                }
            }
        }

        return assignments
            .Select((a, i) => (a, root: Find(i)))
            .GroupBy(x => x.root)
            .OrderBy(g => g.Key)
            .Select(g => Merge([.. g.Select(x => x.a)]))
            .ToList();
    }

    /// <summary>
    /// Conservative: two scopes may overlap unless every pair of allow globs has literal prefixes that diverge (one
    /// directory each, or two different files). A false "may overlap" merges two assignments; a false "no" would let
    /// two workers write one file, so doubt merges.
    /// </summary>
    public static bool MayOverlap(Scope a, Scope b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Allow.Any(x => b.Allow.Any(y => GlobsMayOverlap(x, y)));
    }

    private static bool GlobsMayOverlap(string x, string y)
    {
        var px = LiteralPrefix(x);
        var py = LiteralPrefix(y);
        return px.StartsWith(py, StringComparison.OrdinalIgnoreCase) || py.StartsWith(px, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The part of a glob before its first wildcard, cut back to a whole path segment (<c>src/ap*</c> → <c>src/</c>).</summary>
    private static string LiteralPrefix(string glob)
    {
        var wildcard = glob.IndexOfAny(['*', '?', '[', '{']);
        if (wildcard < 0)
        {
            return glob;
        }

        var slash = glob.LastIndexOf('/', Math.Max(0, wildcard - 1));
        return slash < 0 ? "" : glob[..(slash + 1)];
    }

    /// <summary>One assignment doing the work of several: titles and instructions joined, scopes combined (<see cref="Scope.Combine"/>).</summary>
    public static PlannedAssignment Merge(IReadOnlyList<PlannedAssignment> group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return group.Count == 1 ? group[0] : new PlannedAssignment(
            string.Join(" + ", group.Select(a => a.Title)),
            string.Join("\n\n", group.Select(a => $"## {a.Title}\n{a.Instructions}")),
            Scope.Combine([.. group.Select(a => a.Scope)]));
    }

    private static bool NonEmptyString(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetString());

    private static bool StringArray(JsonElement e, string name, bool required)
    {
        if (!e.TryGetProperty(name, out var v))
        {
            return !required;
        }

        return v.ValueKind == JsonValueKind.Array
            && v.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(x.GetString()))
            && (!required || v.GetArrayLength() > 0);
    }

    private static List<string> Strings(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.EnumerateArray().Select(x => x.GetString()!.Trim()).ToList() : [];
}
