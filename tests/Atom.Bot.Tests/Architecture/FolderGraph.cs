using Atom.Bot.Configuration;
using Mono.Cecil;

namespace Atom.Bot.Tests.Architecture;

/// <summary>
/// Which folder of <c>src/Atom.Bot</c> uses which, read from the compiled assembly (base types, signatures, fields,
/// attributes and every type, method and field a method body names), so that a fully qualified name counts as much as
/// a <c>using</c> line. A folder is the namespace under <c>Atom.Bot.</c>; <c>Program.cs</c> (namespace <c>Atom.Bot</c>)
/// is the composition root and is left out.
/// </summary>
public sealed class FolderGraph
{
    private const string Prefix = "Atom.Bot.";

    private FolderGraph(IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>> edges) => Edges = edges;

    /// <summary>Folder → folder it uses → a few of the type pairs that make that edge, for the failure message.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>> Edges { get; }

    public IEnumerable<string> Folders => Edges.Keys.Order(StringComparer.Ordinal);

    public IEnumerable<string> Uses(string folder) => Edges.TryGetValue(folder, out var targets) ? targets.Keys.Order(StringComparer.Ordinal) : [];

    public static FolderGraph Of(string assemblyPath)
    {
        using var module = ModuleDefinition.ReadModule(assemblyPath);
        var found = new Dictionary<string, Dictionary<string, List<string>>>(StringComparer.Ordinal);
        foreach (var type in module.GetTypes())
        {
            var from = FolderOf(type);
            if (from is null)
            {
                continue;
            }

            var targets = found.TryGetValue(from, out var existing) ? existing : found[from] = new(StringComparer.Ordinal);
            foreach (var used in ReferencedTypes(type))
            {
                var to = FolderOf(used);
                if (to is null || to == from)
                {
                    continue;
                }

                var examples = targets.TryGetValue(to, out var list) ? list : targets[to] = [];
                var example = $"{Outermost(type).FullName} → {Outermost(used).FullName}";
                if (examples.Count < 5 && !examples.Contains(example))
                {
                    examples.Add(example);
                }
            }
        }

        return new FolderGraph(found.ToDictionary(
            pair => pair.Key,
            pair => (IReadOnlyDictionary<string, IReadOnlyList<string>>)pair.Value.ToDictionary(t => t.Key, t => (IReadOnlyList<string>)t.Value, StringComparer.Ordinal),
            StringComparer.Ordinal));
    }

    public static FolderGraph OfAtom() => Of(typeof(AtomConfiguration).Assembly.Location);

    /// <summary>
    /// The folders from the bottom up: each uses only folders before it (when there is no cycle). Ties are broken by
    /// name, so the order is stable.
    /// </summary>
    public IReadOnlyList<string> BottomUp()
    {
        var placed = new List<string>();
        var left = Folders.ToList();
        while (left.Count > 0)
        {
            var next = left.FirstOrDefault(f => Uses(f).All(placed.Contains)) ?? left[0];
            placed.Add(next);
            left.Remove(next);
        }

        return placed;
    }

    /// <summary>The graph as docs/architecture.md shows it: one row per folder, bottom up, with the folders it uses.</summary>
    public string MarkdownTable()
    {
        var table = new System.Text.StringBuilder();
        table.AppendLine("| folder | uses |");
        table.AppendLine("|---|---|");
        foreach (var folder in BottomUp())
        {
            var uses = Uses(folder).ToList();
            table.AppendLine($"| `{folder}/` | {(uses.Count == 0 ? "nothing of Atom" : string.Join(", ", uses.Select(u => $"`{u}`")))} |");
        }

        return table.ToString();
    }

    /// <summary>The strongly connected groups of more than one folder: each is a cycle.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var index = 0;
        var indices = new Dictionary<string, int>(StringComparer.Ordinal);
        var lowLinks = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var cycles = new List<IReadOnlyList<string>>();

        void Connect(string folder)
        {
            indices[folder] = lowLinks[folder] = index++;
            stack.Push(folder);
            onStack.Add(folder);
            foreach (var next in Uses(folder))
            {
                if (!indices.TryGetValue(next, out var seen))
                {
                    Connect(next);
                    lowLinks[folder] = Math.Min(lowLinks[folder], lowLinks[next]);
                }
                else if (onStack.Contains(next))
                {
                    lowLinks[folder] = Math.Min(lowLinks[folder], seen);
                }
            }

            if (lowLinks[folder] == indices[folder])
            {
                var group = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    group.Add(member);
                }
                while (member != folder);

                if (group.Count > 1)
                {
                    cycles.Add(group.Order(StringComparer.Ordinal).ToList());
                }
            }
        }

        foreach (var folder in Folders)
        {
            if (!indices.ContainsKey(folder))
            {
                Connect(folder);
            }
        }

        return cycles;
    }

    private static string? FolderOf(TypeReference type)
    {
        var outer = Outermost(type);
        var ns = outer.Namespace;
        if (!ns.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = ns[Prefix.Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }

    private static TypeReference Outermost(TypeReference type)
    {
        var current = type.GetElementType();
        while (current.DeclaringType is not null)
        {
            current = current.DeclaringType;
        }

        return current;
    }

    private static IEnumerable<TypeReference> ReferencedTypes(TypeDefinition type)
    {
        if (type.BaseType is not null)
        {
            foreach (var t in Expand(type.BaseType))
            {
                yield return t;
            }
        }

        foreach (var t in type.Interfaces.SelectMany(i => Expand(i.InterfaceType)))
        {
            yield return t;
        }

        foreach (var t in Attributes(type.CustomAttributes))
        {
            yield return t;
        }

        foreach (var field in type.Fields)
        {
            foreach (var t in Expand(field.FieldType).Concat(Attributes(field.CustomAttributes)))
            {
                yield return t;
            }
        }

        foreach (var property in type.Properties)
        {
            foreach (var t in Expand(property.PropertyType).Concat(Attributes(property.CustomAttributes)))
            {
                yield return t;
            }
        }

        foreach (var method in type.Methods)
        {
            foreach (var t in Method(method))
            {
                yield return t;
            }
        }
    }

    private static IEnumerable<TypeReference> Method(MethodDefinition method)
    {
        foreach (var t in Expand(method.ReturnType).Concat(Attributes(method.CustomAttributes)))
        {
            yield return t;
        }

        foreach (var t in method.Parameters.SelectMany(p => Expand(p.ParameterType).Concat(Attributes(p.CustomAttributes))))
        {
            yield return t;
        }

        if (!method.HasBody)
        {
            yield break;
        }

        foreach (var t in method.Body.Variables.SelectMany(v => Expand(v.VariableType)))
        {
            yield return t;
        }

        foreach (var instruction in method.Body.Instructions)
        {
            var operands = instruction.Operand switch
            {
                TypeReference t => Expand(t),
                MethodReference m => Referenced(m),
                FieldReference f => Expand(f.DeclaringType).Concat(Expand(f.FieldType)),
                _ => [],
            };
            foreach (var t in operands)
            {
                yield return t;
            }
        }

        static IEnumerable<TypeReference> Referenced(MethodReference m)
        {
            var types = Expand(m.DeclaringType).Concat(Expand(m.ReturnType)).Concat(m.Parameters.SelectMany(p => Expand(p.ParameterType)));
            return m is GenericInstanceMethod generic ? types.Concat(generic.GenericArguments.SelectMany(Expand)) : types;
        }
    }

    private static IEnumerable<TypeReference> Attributes(IEnumerable<CustomAttribute> attributes) =>
        attributes.SelectMany(a => Expand(a.AttributeType));

    private static IEnumerable<TypeReference> Expand(TypeReference type)
    {
        switch (type)
        {
            case GenericInstanceType generic:
                foreach (var t in Expand(generic.ElementType).Concat(generic.GenericArguments.SelectMany(Expand)))
                {
                    yield return t;
                }

                break;
            case TypeSpecification specification:
                foreach (var t in Expand(specification.ElementType))
                {
                    yield return t;
                }

                break;
            case GenericParameter:
                break;
            default:
                yield return type;
                break;
        }
    }
}
