using Atom.Bot.Configuration;

namespace Atom.Bot.Tests.Configuration;

public sealed class AtomConfigurationTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("atom-cfg-work-");
    private readonly DirectoryInfo _home = Directory.CreateTempSubdirectory("atom-cfg-home-");

    public void Dispose()
    {
        _work.Delete(recursive: true);
        _home.Delete(recursive: true);
    }

    [Fact]
    public void Environment_wins_over_working_directory_file_which_wins_over_user_file_which_wins_over_defaults()
    {
        WriteUserFile("llm_model: from-user\nllm_concurrency: 7\nmax_assignments: 3\nworker_max_steps: 11\n");
        WriteWorkingFile("llm_model: from-working\nllm_concurrency: 6\n");

        var result = Load(new() { ["ATOM_WEBHOOK_SECRET"] = "s3cret-value", ["ATOM_LLM_MODEL"] = "from-env" });

        result.Errors.ShouldBeEmpty();
        var options = result.Options!;
        options.LlmModel.ShouldBe("from-env");
        options.LlmConcurrency.ShouldBe(6);
        options.MaxAssignments.ShouldBe(3);
        options.WorkerMaxSteps.ShouldBe(11);
        options.LlmTimeoutSeconds.ShouldBe(120);
        Source(result, "ATOM_LLM_MODEL").ShouldBe(ConfigurationSource.Environment);
        Source(result, "ATOM_LLM_CONCURRENCY").ShouldBe(ConfigurationSource.WorkingDirectoryFile);
        Source(result, "ATOM_MAX_ASSIGNMENTS").ShouldBe(ConfigurationSource.UserFile);
        Source(result, "ATOM_LLM_TIMEOUT_SECONDS").ShouldBe(ConfigurationSource.Default);
    }

    [Fact]
    public void Defaults_follow_the_design()
    {
        var options = Load(new() { ["ATOM_WEBHOOK_SECRET"] = "s3cret-value" }).Options!;

        options.GitHubApiUrl.ShouldBe(new Uri("https://api.github.com/"));
        options.LlmBaseUrl.ShouldBe(new Uri("http://localhost:5000/v1/"));
        options.LlmConcurrency.ShouldBe(4);
        options.AuditorBaseUrl.ShouldBe(options.LlmBaseUrl);
        options.AuditorModel.ShouldBe(options.LlmModel);
        options.JobStorage.ShouldBe("memory");
        options.UsesPostgreSql.ShouldBeFalse();
        options.LlmTimeoutSeconds.ShouldBe(120);
        options.WorkerMaxSteps.ShouldBe(40);
        options.MaxAssignments.ShouldBe(4);
        options.GitAuthorName.ShouldBe("atom-bot");
        options.GitAuthorEmail.ShouldContain("noreply");
        options.DataDir.ShouldEndWith(".atom");
        options.WorktreeSpares.ShouldBe(2);
    }

    [Fact]
    public void No_second_auditor_is_set_by_default_and_a_model_alone_asks_the_main_server()
    {
        var unset = Load(new() { ["ATOM_WEBHOOK_SECRET"] = "s3cret-value" }).Options!;
        var modelOnly = Load(new() { ["ATOM_WEBHOOK_SECRET"] = "s3cret-value", ["ATOM_AUDITOR2_MODEL"] = "other-family" }).Options!;
        var both = Load(new() { ["ATOM_WEBHOOK_SECRET"] = "s3cret-value", ["ATOM_AUDITOR2_MODEL"] = "other-family", ["ATOM_AUDITOR2_BASE_URL"] = "http://auditor2.example/v1" }).Options!;

        (unset.Auditor2BaseUrl, unset.Auditor2Model).ShouldBe((null, null));
        (modelOnly.Auditor2BaseUrl, modelOnly.Auditor2Model).ShouldBe((modelOnly.LlmBaseUrl, "other-family"));
        (both.Auditor2BaseUrl, both.Auditor2Model).ShouldBe((new Uri("http://auditor2.example/v1/"), "other-family"));
    }

    [Fact]
    public void A_second_auditor_base_url_without_a_model_is_an_error_naming_the_missing_setting()
    {
        var result = Load(new() { ["ATOM_WEBHOOK_SECRET"] = "s3cret-value", ["ATOM_AUDITOR2_BASE_URL"] = "http://auditor2.example/v1" });

        result.Options.ShouldBeNull();
        result.Errors.ShouldHaveSingleItem().ShouldStartWith("ATOM_AUDITOR2_BASE_URL is set but ATOM_AUDITOR2_MODEL is not");
    }

    [Fact]
    public void A_PostgreSQL_database_takes_the_jobs_too_unless_job_storage_is_given()
    {
        const string postgres = "Host=db;Username=atom;Password=pg-secret-77;Database=atom";

        var both = Load(new() { ["ATOM_WEBHOOK_SECRET"] = "s3cret-value", ["ATOM_DATABASE"] = postgres });
        both.Options!.Database.ShouldBe(postgres);
        both.Options.JobStorage.ShouldBe(postgres);
        both.Values.Single(v => v.Variable == "ATOM_DATABASE").Display.ShouldNotContain("pg-secret-77");
        both.Options.ToString().ShouldNotContain("pg-secret-77");

        var separate = Load(new() { ["ATOM_WEBHOOK_SECRET"] = "s3cret-value", ["ATOM_DATABASE"] = postgres, ["ATOM_JOB_STORAGE"] = "memory" }).Options!;
        separate.JobStorage.ShouldBe("memory");

        var sqlite = Load(new() { ["ATOM_WEBHOOK_SECRET"] = "s3cret-value", ["ATOM_DATABASE"] = "" }).Options!;
        sqlite.Database.ShouldBeNull();
        sqlite.JobStorage.ShouldBe("memory");
    }

    [Fact]
    public void Zero_worktree_spares_turns_them_off()
    {
        var options = Load(new() { ["ATOM_WEBHOOK_SECRET"] = "s3cret-value", ["ATOM_WORKTREE_SPARES"] = "0" }).Options!;

        options.WorktreeSpares.ShouldBe(0);
    }

    [Theory]
    [InlineData(null, SandboxMode.Bwrap)]
    [InlineData("bwrap", SandboxMode.Bwrap)]
    [InlineData("NONE", SandboxMode.None)]
    public void Sandbox_is_bubblewrap_unless_the_operator_says_none(string? value, SandboxMode expected)
    {
        var options = Load(new() { ["ATOM_WEBHOOK_SECRET"] = "s3cret-value", ["ATOM_SANDBOX"] = value }).Options!;

        options.Sandbox.ShouldBe(expected);
    }

    [Theory]
    [InlineData(null, GitSigningMode.Auto)]
    [InlineData("auto", GitSigningMode.Auto)]
    [InlineData("API", GitSigningMode.Api)]
    [InlineData("ssh", GitSigningMode.Ssh)]
    [InlineData("None", GitSigningMode.None)]
    public void Git_signing_is_auto_unless_the_operator_names_a_mode(string? value, GitSigningMode expected)
    {
        var options = Load(new() { ["ATOM_WEBHOOK_SECRET"] = "s3cret-value", ["ATOM_GIT_SIGNING"] = value }).Options!;

        options.GitSigning.ShouldBe(expected);
    }

    [Fact]
    public void Prices_per_model_are_read_from_the_environment_or_a_file_and_none_by_default()
    {
        Load(new() { ["ATOM_WEBHOOK_SECRET"] = "s3cret-value" }).Options!.LlmPrices.Models.ShouldBeEmpty();
        WriteWorkingFile("llm_prices: gpt-4o=2.5/10, qwen2.5-coder=0/0\n");

        var prices = Load(new() { ["ATOM_WEBHOOK_SECRET"] = "s3cret-value" }).Options!.LlmPrices;

        prices.For("gpt-4o").ShouldBe(new LlmPrice(2.5m, 10m));
        prices.For("qwen2.5-coder").ShouldBe(new LlmPrice(0m, 0m));
        prices.For("other").ShouldBeNull();
    }

    [Fact]
    public void An_embeddings_endpoint_is_read_with_its_model_and_key_and_needs_the_model()
    {
        Load(new() { ["ATOM_WEBHOOK_SECRET"] = "s3cret-value" }).Options!.EmbeddingsBaseUrl.ShouldBeNull();

        var options = Load(new()
        {
            ["ATOM_WEBHOOK_SECRET"] = "s3cret-value",
            ["ATOM_EMBEDDINGS_BASE_URL"] = "http://embed.example/v1",
            ["ATOM_EMBEDDINGS_MODEL"] = "nomic-embed-text",
            ["ATOM_EMBEDDINGS_API_KEY"] = "embeddings-key-0123456789",
        }).Options!;
        (options.EmbeddingsBaseUrl, options.EmbeddingsModel, options.EmbeddingsApiKey)
            .ShouldBe((new Uri("http://embed.example/v1/"), "nomic-embed-text", "embeddings-key-0123456789"));
        options.Secrets().ShouldContain("embeddings-key-0123456789");
        options.ToString().ShouldNotContain("embeddings-key-0123456789");
        Atom.Bot.Retrieval.RetrievalOptions.From(options).ToString().ShouldNotContain("embeddings-key-0123456789");

        var withoutModel = Load(new() { ["ATOM_WEBHOOK_SECRET"] = "s3cret-value", ["ATOM_EMBEDDINGS_BASE_URL"] = "http://embed.example/v1" });
        withoutModel.IsValid.ShouldBeFalse();
        withoutModel.Errors.ShouldHaveSingleItem().ShouldStartWith("ATOM_EMBEDDINGS_MODEL is required when ATOM_EMBEDDINGS_BASE_URL is set");
    }

    [Fact]
    public void Mcp_servers_are_name_url_pairs_with_an_optional_token_each_and_none_by_default()
    {
        Load(new() { ["ATOM_WEBHOOK_SECRET"] = "s3cret-value" }).Options!.McpServers.All.ShouldBeEmpty();

        var options = Load(new()
        {
            ["ATOM_WEBHOOK_SECRET"] = "s3cret-value",
            ["ATOM_MCP_SERVERS"] = "docs=https://mcp.example.com/mcp, code_search=http://10.0.0.5:8080/",
            ["ATOM_MCP_TOKENS"] = "docs=mcp-token-91f3e0a2",
        }).Options!;

        options.McpServers.All.Select(s => (s.Name, s.Url.ToString())).ShouldBe([("docs", "https://mcp.example.com/mcp"), ("code_search", "http://10.0.0.5:8080/")]);
        options.McpServers.TokenFor("docs").ShouldBe("mcp-token-91f3e0a2");
        options.McpServers.TokenFor("code_search").ShouldBeNull();
        options.Secrets().ShouldContain("mcp-token-91f3e0a2");
        options.ToString().ShouldNotContain("mcp-token-91f3e0a2");
        options.ToString().ShouldContain("docs=https://mcp.example.com/mcp (token)");
    }

    [Theory]
    [InlineData("wiki=mcp-token-91f3e0a2", "ATOM_MCP_TOKENS: a token is given for server 'wiki', which ATOM_MCP_SERVERS does not list")]
    [InlineData("docs=mcp-token-91f3e0a2,docs=mcp-token-91f3e0a3", "ATOM_MCP_TOKENS: server 'docs' is given two tokens")]
    [InlineData("mcp-token-91f3e0a2", "ATOM_MCP_TOKENS: an entry is not name=token")]
    public void A_token_for_no_listed_server_or_a_malformed_token_list_is_an_error_that_never_quotes_the_token(string tokens, string expected)
    {
        var result = Load(new() { ["ATOM_WEBHOOK_SECRET"] = "s3cret-value", ["ATOM_MCP_SERVERS"] = "docs=https://mcp.example.com/mcp", ["ATOM_MCP_TOKENS"] = tokens });

        result.IsValid.ShouldBeFalse();
        var error = result.Errors.ShouldHaveSingleItem();
        error.ShouldStartWith(expected);
        error.ShouldNotContain("91f3e0a");
    }

    [Fact]
    public void Missing_webhook_secret_is_an_error_naming_the_variable()
    {
        var result = Load([]);

        result.IsValid.ShouldBeFalse();
        result.Errors.ShouldHaveSingleItem().ShouldStartWith("ATOM_WEBHOOK_SECRET is required");
    }

    [Fact]
    public void An_offline_command_needs_no_webhook_secret_but_still_validates_what_is_set()
    {
        var dir = Directory.CreateTempSubdirectory("atom-config-").FullName;
        var offline = AtomConfiguration.Load(new Dictionary<string, string?>(), dir, dir, forService: false);
        var broken = AtomConfiguration.Load(new Dictionary<string, string?> { ["ATOM_LLM_CONCURRENCY"] = "four" }, dir, dir, forService: false);

        offline.IsValid.ShouldBeTrue(string.Join("; ", offline.Errors));
        offline.Options!.WebhookSecret.ShouldBeEmpty();
        broken.Errors.ShouldHaveSingleItem().ShouldContain("ATOM_LLM_CONCURRENCY");
    }

    [Theory]
    [InlineData("ATOM_GITHUB_API_URL", "not a url", "not an absolute http(s) URL")]
    [InlineData("ATOM_LLM_BASE_URL", "ftp://x/", "not an absolute http(s) URL")]
    [InlineData("ATOM_LLM_CONCURRENCY", "four", "not a positive whole number")]
    [InlineData("ATOM_LLM_TIMEOUT_SECONDS", "0", "not a positive whole number")]
    [InlineData("ATOM_GITHUB_APP_ID", "-3", "not a positive whole number")]
    [InlineData("ATOM_WORKTREE_SPARES", "-1", "not a whole number (0 or more)")]
    [InlineData("ATOM_WORKTREE_SPARES", "two", "not a whole number (0 or more)")]
    [InlineData("ATOM_SANDBOX", "docker", "not a sandbox: use bwrap")]
    [InlineData("ATOM_GIT_SIGNING", "gpg", "not a signing mode: use auto")]
    [InlineData("ATOM_GIT_SIGNING", "1", "not a signing mode: use auto")]
    [InlineData("ATOM_LLM_PRICES", "gpt-4o=2.5", "'gpt-4o=2.5' is not model=input/output")]
    [InlineData("ATOM_LLM_PRICES", "gpt-4o=2.5/10,gpt-4o=3/12", "model 'gpt-4o' has two prices")]
    [InlineData("ATOM_MCP_SERVERS", "https://mcp.example.com/", "an entry is not name=url")]
    [InlineData("ATOM_MCP_SERVERS", "Docs=https://mcp.example.com/", "an entry is not name=url")]
    [InlineData("ATOM_MCP_SERVERS", "docs.v2=https://mcp.example.com/", "names in a-z, 0-9, _ and -")]
    [InlineData("ATOM_MCP_SERVERS", "docs=ftp://mcp.example.com/", "server 'docs': 'ftp://mcp.example.com/' is not an absolute http(s) URL")]
    [InlineData("ATOM_MCP_SERVERS", "docs=mcp.example.com", "is not an absolute http(s) URL")]
    [InlineData("ATOM_MCP_SERVERS", "docs=https://a.example/,docs=https://b.example/", "server 'docs' is given twice")]
    [InlineData("ATOM_MCP_SERVERS", "docs=https://user:pw@mcp.example.com/", "give the server a token in ATOM_MCP_TOKENS instead")]
    public void Malformed_values_name_the_variable_and_the_value(string variable, string value, string problem)
    {
        var result = Load(new() { ["ATOM_WEBHOOK_SECRET"] = "s3cret-value", [variable] = value });

        result.IsValid.ShouldBeFalse();
        var error = result.Errors.ShouldHaveSingleItem();
        error.ShouldStartWith(variable);
        error.ShouldContain(problem);
        error.ShouldContain($"'{value}'");
    }

    [Fact]
    public void Malformed_value_in_a_file_names_the_file()
    {
        WriteWorkingFile("llm_concurrency: many\n");

        var error = Load(new() { ["ATOM_WEBHOOK_SECRET"] = "s3cret-value" }).Errors.ShouldHaveSingleItem();

        error.ShouldContain("ATOM_LLM_CONCURRENCY");
        error.ShouldContain(".atom.yml");
    }

    [Fact]
    public void Unknown_setting_in_a_file_is_an_error()
    {
        WriteUserFile("llm_modle: typo\n");

        Load(new() { ["ATOM_WEBHOOK_SECRET"] = "s3cret-value" }).Errors.ShouldHaveSingleItem().ShouldContain("unknown setting 'llm_modle'");
    }

    [Fact]
    public void Invalid_yaml_in_a_file_is_an_error()
    {
        WriteWorkingFile("llm_model: [unclosed\n");

        Load(new() { ["ATOM_WEBHOOK_SECRET"] = "s3cret-value" }).Errors.ShouldHaveSingleItem().ShouldContain("invalid YAML");
    }

    [Fact]
    public void Config_command_masks_secrets_and_shows_sources()
    {
        WriteWorkingFile("llm_api_key: sk-file-secret-value\n");
        var result = Load(new()
        {
            ["ATOM_WEBHOOK_SECRET"] = "whsec-very-secret",
            ["ATOM_GITHUB_TOKEN"] = "ghp_tokenvalue123456",
            ["ATOM_DASHBOARD_TOKEN"] = "dash-secret-token",
            ["ATOM_JOB_STORAGE"] = "Host=db;Username=atom;Password=pg-secret-pass;Database=atom",
        });
        using var output = new StringWriter();
        using var error = new StringWriter();

        ConfigCommand.Run(result, output, error).ShouldBe(0);

        var text = output.ToString();
        foreach (var secret in new[] { "whsec-very-secret", "ghp_tokenvalue123456", "dash-secret-token", "pg-secret-pass", "sk-file-secret-value" })
        {
            text.ShouldNotContain(secret);
        }

        text.ShouldContain("ATOM_WEBHOOK_SECRET");
        text.ShouldContain("***  (environment)");
        text.ShouldContain("Password=***");
        text.ShouldContain(".atom.yml)");
        text.ShouldContain("(default)");
    }

    [Fact]
    public void Config_command_fails_with_the_errors_when_invalid()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        ConfigCommand.Run(Load([]), output, error).ShouldBe(2);

        error.ToString().ShouldContain("ATOM_WEBHOOK_SECRET");
    }

    private ConfigurationResult Load(Dictionary<string, string?> environment) =>
        AtomConfiguration.Load(environment, _work.FullName, _home.FullName);

    private static ConfigurationSource Source(ConfigurationResult result, string variable) =>
        result.Values.Single(v => v.Variable == variable).Source;

    private void WriteWorkingFile(string text) => File.WriteAllText(Path.Combine(_work.FullName, ".atom.yml"), text);

    private void WriteUserFile(string text)
    {
        Directory.CreateDirectory(Path.Combine(_home.FullName, ".atom"));
        File.WriteAllText(Path.Combine(_home.FullName, ".atom", "config.yml"), text);
    }
}
