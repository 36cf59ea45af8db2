namespace Atom.Bot.Configuration;

/// <summary>How test commands run (<c>ATOM_SANDBOX</c>).</summary>
public enum SandboxMode
{
    /// <summary>In bubblewrap namespaces; no sandbox means no test run.</summary>
    Bwrap,

    /// <summary>Unsandboxed, as Atom's own user (an explicit, unsafe operator choice, said in every package and on <c>/status</c>).</summary>
    None,
}
