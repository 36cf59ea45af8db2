namespace Atom.Bot.Llm;

/// <summary>
/// Which configured model a request goes to: the main model (<c>ATOM_LLM_*</c>), the auditor (<c>ATOM_AUDITOR_*</c>) or
/// the second auditor (<c>ATOM_AUDITOR2_*</c>, only when set).
/// </summary>
public enum LlmEndpoint
{
    Main,
    Auditor,
    Auditor2,
}
