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
        (llm.Auditor2BaseUrl, llm.Auditor2Model).ShouldBe((null, null));
        (llm.LlmConcurrency, llm.LlmTimeoutSeconds).ShouldBe((3, 77));
        llm.ToString().ShouldNotContain(SampleAtomOptions.LlmApiKey);
        llm.ToString().ShouldContain("main-model");
    }

    [Fact]
    public void From_copies_the_second_auditor_and_ToString_names_it()
    {
        var options = SampleAtomOptions.Create() with { Auditor2BaseUrl = new Uri("http://auditor2.example/v1/"), Auditor2Model = "other-family-model" };

        var llm = LlmOptions.From(options);

        (llm.Auditor2BaseUrl, llm.Auditor2Model).ShouldBe((new Uri("http://auditor2.example/v1/"), "other-family-model"));
        llm.ToString().ShouldContain("Auditor2Model = other-family-model");
        llm.ToString().ShouldNotContain(SampleAtomOptions.LlmApiKey);
    }
}
