using Atom.Bot.Configuration;

namespace Atom.Bot.Tests.Configuration;

public sealed class RedactionTests
{
    private const string LongSecret = "s3cr3t-webhook-value-0123456789";

    [Fact]
    public void A_long_secret_is_masked_wherever_it_occurs()
    {
        Redaction.Redact($"key={LongSecret}; inside{LongSecret}word", [LongSecret]).ShouldBe("key=***; inside***word");
    }

    [Theory]
    [InlineData("the key is test.", "the key is ***.")]
    [InlineData("test", "***")]
    [InlineData("Authorization: Bearer test", "Authorization: Bearer ***")]
    [InlineData("Add test helpers", "Add *** helpers")]
    [InlineData("testing attest tests retest", "testing attest tests retest")]
    [InlineData("tests/test_helpers.py and add-test-helpers", "tests/test_helpers.py and add-test-helpers")]
    public void A_short_secret_is_masked_only_where_it_stands_as_a_word(string text, string expected)
    {
        Redaction.Redact(text, ["test"]).ShouldBe(expected);
    }

    [Theory]
    [InlineData("atom/issue-3/add-test-helpers")]
    [InlineData("tests/test.py")]
    [InlineData("test")]
    public void A_short_secret_never_changes_an_identifier(string identifier)
    {
        Redaction.RedactIdentifier(identifier, ["test"]).ShouldBe(identifier);
    }

    [Fact]
    public void An_identifier_still_loses_a_long_secret_and_anything_shaped_like_a_token()
    {
        var token = "ghp_" + new string('a', 36);
        Redaction.RedactIdentifier($"atom/issue-1/{LongSecret}/{token}", [LongSecret]).ShouldBe("atom/issue-1/***/***");
    }

    [Theory]
    [InlineData("branch", "atom/issue-3/add-test-helpers", "atom/issue-3/add-test-helpers")]
    [InlineData("headSha", "test", "test")]
    [InlineData("path", "src/test.txt", "src/test.txt")]
    [InlineData("summary", "Added a test.", "Added a ***.")]
    [InlineData(null, "Added a test.", "Added a ***.")]
    public void RedactField_treats_identifier_fields_as_identifiers_and_the_rest_as_free_text(string? field, string text, string expected)
    {
        Redaction.RedactField(field, text, ["test"]).ShouldBe(expected);
    }

    [Fact]
    public void Secrets_shorter_than_four_characters_are_not_masked()
    {
        Redaction.Redact("a b c abc", ["abc"]).ShouldBe("a b c abc");
    }
}
