using System.Globalization;
using System.Text.Json.Nodes;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>
/// GitHub's Git Data API (blobs, trees, commits, refs) and a branch's rules, done for real in the test's bare repository
/// (<see cref="GitDataRepository"/>) with the git CLI: a blob is <c>hash-object -w</c>, a tree is the base tree read into a
/// scratch index plus the entries (<c>"sha": null</c> deletes), a commit is <c>commit-tree</c>, a ref moves only forward
/// unless forced. What Atom creates through the API is therefore an object chain the tests can read with git.
/// Like GitHub, a commit sent with no author and no committer by a GitHub App (an installation token) is made by the
/// App's bot account and comes back <c>verification.verified: true</c>; anything else is <c>unsigned</c>.
/// </summary>
public sealed partial class GitHubStub
{
    private const string GitDataRepo = $"^{Prefix}/repos/(?<owner>[^/]+)/(?<repo>[^/]+)";

    /// <summary>The bare repository the Git Data API writes to (the scenario's remote).</summary>
    public string? GitDataRepository { get; set; }

    /// <summary>Whether <c>GET /rules/branches/{branch}</c> lists a <c>required_signatures</c> rule (a ruleset rule, see <see cref="Rule"/>).</summary>
    public bool RequireSignatures
    {
        get
        {
            lock (_state)
            {
                return _rules.Any(r => r["type"]?.GetValue<string>() == "required_signatures");
            }
        }

        set
        {
            lock (_state)
            {
                _rules.RemoveAll(r => r["type"]?.GetValue<string>() == "required_signatures");
            }

            if (value)
            {
                Rule("required_signatures");
            }
        }
    }

    /// <summary>When true, trees are built with one extra file the request did not ask for (a GitHub that builds something else).</summary>
    public bool TamperWithTrees { get; set; }

    /// <summary>
    /// When true, <c>DELETE /git/refs/heads/{branch}</c> deletes the branch in <see cref="GitDataRepository"/> as GitHub
    /// would (otherwise it only answers 204, as the pull-request stub always has).
    /// </summary>
    public bool DeleteRefsForReal { get; set; }

    /// <summary>Trees, commits and refs the stub created, in order.</summary>
    public IReadOnlyList<RecordedRequest> GitDataWrites() =>
        AllRequests().Where(r => r.Path.Contains("/git/", StringComparison.Ordinal) && r.Method is "POST" or "PATCH").ToList();

    private void ServeGitData()
    {
        RequireSignatures = false;
        TamperWithTrees = false;
        DeleteRefsForReal = false;
        Server.Given(Request.Create().UsingDelete().WithPath(new RegexMatcher(GitDataRepo + "/git/refs/heads/.+$"))).AtPriority(DefaultPriority - 1)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var name = "refs/" + request.Path[(request.Path.IndexOf("/git/refs/", StringComparison.Ordinal) + "/git/refs/".Length)..];
                if (DeleteRefsForReal)
                {
                    if (TestRepository.GitExitCode(GitDataRepository!, "rev-parse", "--verify", "--quiet", name) != 0)
                    {
                        return Json(422, ValidationError("Reference does not exist"));
                    }

                    GitData(null, null, "update-ref", "-d", name);
                }

                return new WireMock.ResponseMessage { StatusCode = 204 };
            }));
        Server.Given(Request.Create().UsingPost().WithPath(new RegexMatcher(GitDataRepo + "/git/blobs$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var sent = JsonNode.Parse(request.Body!)!;
                var content = sent["content"]!.GetValue<string>();
                var bytes = sent["encoding"]?.GetValue<string>() == "base64" ? Convert.FromBase64String(content) : System.Text.Encoding.UTF8.GetBytes(content);
                var file = Path.GetTempFileName();
                try
                {
                    File.WriteAllBytes(file, bytes);
                    var sha = GitData(null, null, "hash-object", "-w", file).Trim();
                    return Json(201, new JsonObject { ["url"] = ApiUrl(request.Path, $"git/blobs/{sha}"), ["sha"] = sha });
                }
                finally
                {
                    File.Delete(file);
                }
            }));
        Server.Given(Request.Create().UsingPost().WithPath(new RegexMatcher(GitDataRepo + "/git/trees$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request => Json(201, CreateTree(request.Path, JsonNode.Parse(request.Body!)!))));
        Server.Given(Request.Create().UsingPost().WithPath(new RegexMatcher(GitDataRepo + "/git/commits$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var authorization = request.Headers?.TryGetValue("Authorization", out var values) == true ? values.ToString() : "";
                var byApp = authorization.Split(' ', 2) is [_, var token] && _issuedTokens.ContainsKey(token);
                return Json(201, CreateCommit(request.Path, JsonNode.Parse(request.Body!)!, byApp));
            }));
        Server.Given(Request.Create().UsingPost().WithPath(new RegexMatcher(GitDataRepo + "/git/refs$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var sent = JsonNode.Parse(request.Body!)!;
                var name = sent["ref"]!.GetValue<string>();
                var sha = sent["sha"]!.GetValue<string>();
                if (TestRepository.GitExitCode(GitDataRepository!, "rev-parse", "--verify", "--quiet", name) == 0)
                {
                    return Json(422, ValidationError("Reference already exists"));
                }

                GitData(null, null, "update-ref", name, sha, "");
                return Json(201, GitRef(request.Path, name, sha));
            }));
        Server.Given(Request.Create().UsingPatch().WithPath(new RegexMatcher(GitDataRepo + "/git/refs/heads/.+$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var sent = JsonNode.Parse(request.Body!)!;
                var name = "refs/" + request.Path[(request.Path.IndexOf("/git/refs/", StringComparison.Ordinal) + "/git/refs/".Length)..];
                var sha = sent["sha"]!.GetValue<string>();
                var force = sent["force"]?.GetValue<bool>() ?? false;
                if (TestRepository.GitExitCode(GitDataRepository!, "rev-parse", "--verify", "--quiet", name) != 0)
                {
                    return Json(422, ValidationError("Reference does not exist"));
                }

                var old = GitData(null, null, "rev-parse", name).Trim();
                if (!force && TestRepository.GitExitCode(GitDataRepository!, "merge-base", "--is-ancestor", old, sha) != 0)
                {
                    return Json(422, ValidationError("Update is not a fast forward"));
                }

                GitData(null, null, "update-ref", name, sha, old);
                return Json(200, GitRef(request.Path, name, sha));
            }));
    }

    private JsonObject CreateTree(string path, JsonNode sent)
    {
        var index = Path.Combine(Path.GetTempPath(), $"atom-stub-index-{Guid.NewGuid():N}");
        // An index of its own and an empty work tree (update-index refuses to run without one); no file is ever written there.
        var workTree = Directory.CreateTempSubdirectory("atom-stub-worktree-").FullName;
        var environment = new Dictionary<string, string> { ["GIT_INDEX_FILE"] = index, ["GIT_WORK_TREE"] = workTree };
        try
        {
            if (sent["base_tree"]?.GetValue<string>() is { } baseTree)
            {
                GitData(null, environment, "read-tree", baseTree);
            }
            else
            {
                GitData(null, environment, "read-tree", "--empty");
            }

            var entries = sent["tree"]!.AsArray().Select(e => e!).ToList();
            if (TamperWithTrees)
            {
                var extra = GitData("tampered\n", null, "hash-object", "-w", "--stdin").Trim();
                entries.Add(new JsonObject { ["path"] = "tampered.txt", ["mode"] = "100644", ["type"] = "blob", ["sha"] = extra });
            }

            foreach (var entry in entries)
            {
                var entryPath = entry["path"]!.GetValue<string>();
                var mode = entry["mode"]!.GetValue<string>();
                var entrySha = entry["sha"]?.GetValue<string>();
                if (entry["content"]?.GetValue<string>() is { } content)
                {
                    entrySha = GitData(content, null, "hash-object", "-w", "--stdin").Trim();
                }

                if (entrySha is null)
                {
                    GitData(null, environment, "update-index", "--force-remove", "--", entryPath);
                }
                else
                {
                    GitData(null, environment, "update-index", "--add", "--cacheinfo", $"{mode},{entrySha},{entryPath}");
                }
            }

            var sha = GitData(null, environment, "write-tree").Trim();
            var listed = new JsonArray();
            foreach (var line in GitData(null, null, "ls-tree", sha).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                // "<mode> <type> <sha>\t<path>"
                var (meta, name) = (line.Split('\t')[0].Split(' '), line.Split('\t')[1]);
                listed.Add(new JsonObject { ["path"] = name, ["mode"] = meta[0], ["type"] = meta[1], ["sha"] = meta[2], ["url"] = ApiUrl(path, $"git/{meta[1]}s/{meta[2]}") });
            }

            return new JsonObject { ["sha"] = sha, ["url"] = ApiUrl(path, $"git/trees/{sha}"), ["tree"] = listed, ["truncated"] = false };
        }
        finally
        {
            File.Delete(index);
            Directory.Delete(workTree, recursive: true);
        }
    }

    private JsonObject CreateCommit(string path, JsonNode sent, bool byApp)
    {
        var now = DateTimeOffset.UtcNow;
        var custom = sent["author"] is not null || sent["committer"] is not null;
        var bot = ($"{AppSlug}[bot]", $"12345678+{AppSlug}[bot]@users.noreply.github.com");
        var author = sent["author"] is { } a ? (a["name"]!.GetValue<string>(), a["email"]!.GetValue<string>()) : bot;
        var committer = sent["committer"] is { } c ? (c["name"]!.GetValue<string>(), c["email"]!.GetValue<string>()) : author;
        var date = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + " +0000";
        var environment = new Dictionary<string, string>
        {
            ["GIT_AUTHOR_NAME"] = author.Item1,
            ["GIT_AUTHOR_EMAIL"] = author.Item2,
            ["GIT_AUTHOR_DATE"] = date,
            ["GIT_COMMITTER_NAME"] = committer.Item1,
            ["GIT_COMMITTER_EMAIL"] = committer.Item2,
            ["GIT_COMMITTER_DATE"] = date,
        };
        var tree = sent["tree"]!.GetValue<string>();
        var parents = sent["parents"]?.AsArray().Select(p => p!.GetValue<string>()).ToList() ?? [];
        string[] arguments = ["commit-tree", tree, .. parents.SelectMany(p => new[] { "-p", p }), "-F", "-"];
        var sha = GitData(sent["message"]!.GetValue<string>(), environment, arguments).Trim();
        var verified = byApp && !custom;
        var stamp = now.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["sha"] = sha,
            ["node_id"] = "C_kwDOAAAAAA" + sha[..8],
            ["url"] = ApiUrl(path, $"git/commits/{sha}"),
            ["html_url"] = $"https://github.com/{FullName(path)}/commit/{sha}",
            ["author"] = new JsonObject { ["name"] = author.Item1, ["email"] = author.Item2, ["date"] = stamp },
            ["committer"] = new JsonObject { ["name"] = committer.Item1, ["email"] = committer.Item2, ["date"] = stamp },
            ["message"] = sent["message"]!.GetValue<string>(),
            ["tree"] = new JsonObject { ["sha"] = tree, ["url"] = ApiUrl(path, $"git/trees/{tree}") },
            ["parents"] = new JsonArray(parents.Select(p => (JsonNode)new JsonObject
            {
                ["sha"] = p,
                ["url"] = ApiUrl(path, $"git/commits/{p}"),
                ["html_url"] = $"https://github.com/{FullName(path)}/commit/{p}",
            }).ToArray()),
            ["verification"] = new JsonObject
            {
                ["verified"] = verified,
                ["reason"] = verified ? "valid" : "unsigned",
                ["signature"] = verified ? "-----BEGIN PGP SIGNATURE-----\n\nwsBcBAABCAAQBQJstubSignatureOfGitHub\n-----END PGP SIGNATURE-----\n" : null,
                ["payload"] = verified ? GitData(null, null, "cat-file", "commit", sha) : null,
                ["verified_at"] = verified ? stamp : null,
            },
        };
    }

    private static JsonObject GitRef(string path, string name, string sha)
    {
        var body = Fixtures.Rest("git_create-ref.201").AsObject();
        body["ref"] = name;
        body["url"] = ApiUrl(path, $"git/{name}");
        body["object"]!["sha"] = sha;
        body["object"]!["url"] = ApiUrl(path, $"git/commits/{sha}");
        return body;
    }

    private static string ApiUrl(string requestPath, string rest) =>
        $"https://api.github.com/repos/{FullName(requestPath)}/{rest}";

    private static string FullName(string requestPath)
    {
        var (owner, repo) = OwnerAndRepo(requestPath);
        return $"{owner}/{repo}";
    }

    private string GitData(string? input, IReadOnlyDictionary<string, string>? environment, params string[] arguments) =>
        TestRepository.GitWith(GitDataRepository ?? throw new InvalidOperationException("GitHubStub.GitDataRepository is not set"), input, environment, arguments);
}
