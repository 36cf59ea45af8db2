using System.Reflection;
using System.Text.Json;
using Atom.Bot.Configuration;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Llm;
using Atom.Bot.Supervisor;
using Microsoft.Extensions.Logging.Abstractions;
using OpenAI.Chat;

namespace Atom.Bot.IntegrationTests.Llm;

/// <summary>Every schema Atom sends with <c>strict: true</c> is one OpenAI's API accepts, checked by the rules the stub enforces too.</summary>
public sealed class StrictSchemaTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Every <c>const string …Schema</c> of Atom: the response formats it sends (plan, verdict, proposal prose).</summary>
    public static TheoryData<string> Schemas() => [.. SchemaNames()];

    private static IEnumerable<string> SchemaNames() =>
        typeof(LlmPool).Assembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string) && f.Name.EndsWith("Schema", StringComparison.Ordinal))
            .Select(f => $"{f.DeclaringType!.Name}.{f.Name}");

    [Fact]
    public void Every_response_format_schema_is_found()
    {
        // The theory below checks what this finds: the plan, the auditor's verdict and the proposal prose at least.
        var names = SchemaNames().ToList();
        foreach (var expected in new[] { "PlanValidator.Schema", "Auditor.Schema", "ProposalWriter.Schema" })
        {
            names.ShouldContain(expected);
        }
    }

    [Theory]
    [MemberData(nameof(Schemas))]
    public void Schema_sent_in_strict_mode_satisfies_OpenAIs_strict_rules(string name)
    {
        var (typeName, fieldName) = (name.Split('.')[0], name.Split('.')[1]);
        var field = typeof(LlmPool).Assembly.GetTypes().Single(t => t.Name == typeName)
            .GetField(fieldName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!;
        using var schema = JsonDocument.Parse((string)field.GetRawConstantValue()!);

        StrictSchemaRules.FirstViolation(name, schema.RootElement).ShouldBeNull();
    }

    [Fact]
    public async Task A_strict_schema_with_an_optional_property_is_refused_by_the_stub_like_OpenAI_does()
    {
        // The verdict schema as it was: "path" a property but not required. OpenAI refuses it with 400 before any model runs.
        const string optionalPath = """
            {"type":"object","additionalProperties":false,"required":["score","verdict","findings"],
             "properties":{"score":{"type":"number"},"verdict":{"type":"string","enum":["pass","needs_revision","fail"]},
              "findings":{"type":"array","items":{"type":"object","additionalProperties":false,"required":["severity","message"],
               "properties":{"severity":{"type":"string"},"message":{"type":"string"},"path":{"type":"string"}}}}}}
            """;
        using var script = new LlmScript();
        script.ReplyText("""{"score": 0.9, "verdict": "pass", "findings": []}""");
        using var pool = Pool(script);

        await pool.CompleteJsonAsync(LlmEndpoint.Auditor, Messages(), "atom_verdict", optionalPath, Auditor.Check, null, Ct);

        script.StrictSchemaRefusals.ShouldBe(1);
        pool.Snapshot().Endpoints.Single(e => e.Endpoint == "auditor").JsonSchema.ShouldBeFalse();
    }

    [Fact]
    public async Task The_auditors_verdict_schema_is_accepted_in_strict_mode_and_a_finding_without_a_path_reads_as_null()
    {
        using var script = new LlmScript();
        script.ReplyJson(new { score = 0.6, verdict = "needs_revision", findings = new object[] { new { severity = "warning", message = "Add a test.", path = (string?)null } } });
        using var pool = Pool(script);

        var reply = await pool.CompleteJsonAsync(LlmEndpoint.Auditor, Messages(), "atom_verdict", Auditor.Schema, Auditor.Check, null, Ct);

        reply.IsOk.ShouldBeTrue();
        script.StrictSchemaRefusals.ShouldBe(0);
        script.Requests.ShouldHaveSingleItem().ResponseFormatType.ShouldBe("json_schema");
        pool.Snapshot().Endpoints.Single(e => e.Endpoint == "auditor").JsonSchema.ShouldBeTrue();
        reply.Value.GetProperty("findings")[0].GetProperty("path").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    private static List<ChatMessage> Messages() => [new SystemChatMessage("You are Atom's auditor."), new UserChatMessage("audit this diff")];

    private static LlmPool Pool(LlmScript script)
    {
        var options = script.Options();
        return new(LlmOptions.From(options), Redactor.For(options), TimeProvider.System, NullLogger<LlmPool>.Instance, new LlmPoolTuning { RetryBaseDelay = TimeSpan.FromMilliseconds(5), MaxBackoff = TimeSpan.FromMilliseconds(50) });
    }
}
