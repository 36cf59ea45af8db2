namespace Atom.Bot.Llm;

/// <summary>Which configured model a request goes to: the main model (<c>ATOM_LLM_*</c>) or the auditor (<c>ATOM_AUDITOR_*</c>).</summary>
public enum LlmEndpoint
{
    Main,
    Auditor,
}
