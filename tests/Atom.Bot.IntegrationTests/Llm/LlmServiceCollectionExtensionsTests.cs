using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Llm;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;

namespace Atom.Bot.IntegrationTests.Llm;

public sealed class LlmServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddLlm_registers_one_pool_for_the_process_that_uses_a_registered_tuning()
    {
        using var script = new LlmScript();
        script.Fail(503).ReplyText("hello");
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(new LlmPoolTuning { RetryBaseDelay = TimeSpan.FromMilliseconds(1) })
            .AddLlm(script.Options(concurrency: 3));
        await using var provider = services.BuildServiceProvider();

        var pool = provider.GetRequiredService<LlmPool>();
        var result = await pool.CompleteAsync(LlmEndpoint.Main, [new UserChatMessage("hi")], null, null, TestContext.Current.CancellationToken);

        provider.GetRequiredService<LlmPool>().ShouldBeSameAs(pool);
        result.Value!.Text.ShouldBe("hello");
        (pool.Snapshot().Concurrency, pool.Snapshot().Retried).ShouldBe((3, 1L));
    }
}
