using System.Text.Json;
using Atom.Bot.Audit;

namespace Atom.Bot.Tests.Audit;

public sealed class CanonicalJsonTests
{
    [Fact]
    public void Keys_are_sorted_at_every_depth_and_arrays_keep_their_order()
    {
        var json = CanonicalJson.Write(new { b = 1, a = new { z = "x", y = new[] { new { q = 2, p = 1 } } }, c = new[] { 3, 2, 1 } }, []);

        json.ShouldBe("""{"a":{"y":[{"p":1,"q":2}],"z":"x"},"b":1,"c":[3,2,1]}""");
    }

    [Fact]
    public void The_same_content_in_another_order_gives_the_same_text()
    {
        using var first = JsonDocument.Parse("""{"x": 1, "y": {"b": true, "a": null}}""");
        using var second = JsonDocument.Parse("""{"y": {"a": null, "b": true}, "x": 1}""");

        CanonicalJson.Write(first.RootElement, []).ShouldBe(CanonicalJson.Write(second.RootElement, []));
    }

    [Fact]
    public void Secrets_are_masked_in_values_and_keys_and_token_shapes_too()
    {
        var secrets = new[] { "very-secret-value" };
        var payload = new Dictionary<string, object>
        {
            ["url"] = "https://x:very-secret-value@host",
            ["very-secret-value"] = 1,
            ["token"] = AuditTestChain.TokenShaped,
        };

        var json = CanonicalJson.Write(payload, secrets);

        json.ShouldNotContain("very-secret-value");
        json.ShouldNotContain(AuditTestChain.TokenShaped);
        json.ShouldContain("https://x:***@host");
    }

    [Fact]
    public void Text_over_one_kibibyte_is_replaced_by_its_sha256_and_length()
    {
        var large = new string('é', 513); // 1026 UTF-8 bytes
        var small = new string('a', CanonicalJson.LargeTextBytes);

        var json = CanonicalJson.Write(new { large, small }, []);

        using var document = JsonDocument.Parse(json);
        var replaced = document.RootElement.GetProperty("large");
        replaced.GetProperty("length").GetInt32().ShouldBe(1026);
        replaced.GetProperty("sha256").GetString().ShouldBe(Hashing.Sha256(large));
        document.RootElement.GetProperty("small").GetString().ShouldBe(small);
    }
}
