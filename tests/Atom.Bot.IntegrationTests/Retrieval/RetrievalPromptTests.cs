using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Tasks;

namespace Atom.Bot.IntegrationTests.Retrieval;

/// <summary>The planner's and a worker's prompts carry the files most relevant to their work, the worker's within its scope.</summary>
public sealed class RetrievalPromptTests
{
    private const string Heading = "# Files most relevant to this work";

    [Fact]
    public async Task The_planner_and_the_worker_see_the_relevant_file_first_and_the_worker_nothing_outside_its_scope()
    {
        await using var scenario = await AtomScenario.StartAsync(new Dictionary<string, string>
        {
            ["README.md"] = "# Shop\nA small shop.\n",
            ["src/Billing/InvoiceCalculator.cs"] = """
                public sealed class InvoiceCalculator
                {
                    public decimal ComputeTax(decimal amount) => Math.Round(amount * 0.2m, 2, MidpointRounding.ToZero);
                }
                """,
            ["src/Web/HomeController.cs"] = "public sealed class HomeController\n{\n    public string Index() => \"home\";\n}\n",
            ["docs/invoices.md"] = "# Invoices\nInvoices are sent monthly; the invoice tax is shown on each invoice.\n",
        });
        scenario.ReplyPlan(("Fix the invoice tax rounding", ["src/**"]))
            .ReplyWrite("src/Billing/InvoiceCalculator.cs", "public sealed class InvoiceCalculator { }\n")
            .ReplyVerdict();

        await scenario.Host.SendAsync("issues", scenario.Labeled(title: "Invoice tax is rounded down", body: "ComputeTax rounds the tax toward zero; it should round half away from zero."));
        await scenario.WaitForStateAsync(TaskState.AwaitingApproval);

        var requests = scenario.Llm.Requests;
        var planner = Relevant(requests.First(r => System(r).StartsWith("You are Atom's supervisor", StringComparison.Ordinal)));
        var worker = Relevant(requests.First(r => r.ToolNames.Contains("write_file")));

        planner[0].ShouldBe("1. src/Billing/InvoiceCalculator.cs");
        planner.ShouldContain("   3: public decimal ComputeTax(decimal amount)");
        planner.ShouldContain(l => l.EndsWith(". docs/invoices.md", StringComparison.Ordinal), "the planner ranks the whole repository");
        worker[0].ShouldBe("1. src/Billing/InvoiceCalculator.cs");
        worker.ShouldContain("   1: public sealed class InvoiceCalculator");
        worker.ShouldNotContain(l => l.Contains("docs/", StringComparison.Ordinal), "docs/ is outside the worker's scope");
    }

    private static string System(LlmScriptRequest request) => LlmScriptRequest.TextOf(request.Messages[0]);

    // The lines of the relevant-files section, up to the next heading.
    private static List<string> Relevant(LlmScriptRequest request)
    {
        var text = System(request);
        var start = text.IndexOf(Heading, StringComparison.Ordinal);
        start.ShouldBeGreaterThanOrEqualTo(0, "the prompt has a relevant-files section");
        return [.. text[start..].Split('\n').Skip(1).TakeWhile(l => !l.StartsWith('#')).Where(l => l.Length > 0)];
    }
}
