namespace Atom.Bot.Llm;

/// <summary>
/// The OpenAI-compatible servers someone without a model can start, each with its start command and what to point Atom
/// at (docs/backends.md has the details): the one list behind <c>atom doctor</c>'s fix and <c>atom try</c>'s advice.
/// </summary>
public static class ModelServers
{
    public sealed record Server(string Name, string Start, string BaseUrl, string Model);

    public static IReadOnlyList<Server> All { get; } =
    [
        new("Ollama", "OLLAMA_NUM_PARALLEL=2 ollama serve; ollama pull qwen2.5-coder:14b", "http://localhost:11434/v1", "qwen2.5-coder:14b"),
        new("vLLM", "vllm serve Qwen/Qwen2.5-Coder-32B-Instruct --enable-auto-tool-choice --tool-call-parser hermes", "http://localhost:8000/v1", "Qwen/Qwen2.5-Coder-32B-Instruct"),
        new("llama.cpp", "llama-server -m model.gguf --jinja --parallel 2 -c 32768 --port 8080", "http://localhost:8080/v1", "model"),
        new("LM Studio", "lms server start (then load a model)", "http://localhost:1234/v1", "<the loaded model's id>"),
    ];
}
