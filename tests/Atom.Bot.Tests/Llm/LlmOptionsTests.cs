using Atom.Bot.Llm;
using Atom.Bot.Tests.Configuration;

namespace Atom.Bot.Tests.Llm;

public sealed class LlmOptionsTests
{
    [Fact]
    public void From_copies_the_pool_settings_and_ToString_masks_the_api_key()
    {
        var options = SampleAtomOptions.Create();

        var llm = LlmOptions.From(options);

        (llm.LlmBaseUrl, llm.LlmModel, llm.LlmApiKey).ShouldBe((options.LlmBaseUrl, options.LlmModel, options.LlmApiKey));
        (llm.AuditorBaseUrl, llm.AuditorModel).ShouldBe((options.AuditorBaseUrl, options.AuditorModel));
        (llm.LlmConcurrency, llm.LlmTimeoutSeconds).ShouldBe((3, 77));
        llm.ToString().ShouldNotContain(SampleAtomOptions.LlmApiKey);
        llm.ToString().ShouldContain("main-model");
    }
}
