using KubeRescue.Lab.ApiServer.Auth;

namespace KubeRescue.Lab.Tests.ApiServer.Auth;

/// <summary>The static token file, read as kube-apiserver reads it (Go's encoding/csv), with line numbers in every complaint.</summary>
public class TokenFileTests
{
    static TokenFile Parse(string text) => TokenFile.Parse(text, "tokens.csv");

    [Fact]
    public void Each_line_is_a_user_with_its_groups_and_system_authenticated()
    {
        var file = Parse("""
            t-alice,alice,u1,"devs,oncall"
            t-bob,bob,u2
            t-carol,carol,u3,solo,ignored-column
            """);

        Assert.Equal(
            [
                new TokenFileEntry("t-alice", new UserInfo("alice", "u1", ["devs", "oncall", "system:authenticated"]), 1),
                new TokenFileEntry("t-bob", new UserInfo("bob", "u2", ["system:authenticated"]), 2),
                new TokenFileEntry("t-carol", new UserInfo("carol", "u3", ["solo", "system:authenticated"]), 3),
            ],
            file.Entries);
        Assert.Empty(file.Warnings);
    }

    [Fact]
    public void Quotes_escape_quotes_and_may_span_lines_and_blank_lines_and_CRLF_are_fine()
    {
        var file = Parse("\r\n\"t,1\",\"the \"\"quoted\"\" one\",u1,\"a\r\nb\"\r\n\r\nt2,plain,u2,system:authenticated\r\n");

        Assert.Collection(file.Entries,
            e =>
            {
                Assert.Equal(("t,1", "the \"quoted\" one", 2), (e.Token, e.User.Name, e.Line));
                Assert.Equal(["a\nb", "system:authenticated"], e.User.Groups);
            },
            // A user already in system:authenticated keeps its groups as they are.
            e =>
            {
                Assert.Equal(5, e.Line);
                Assert.Equal(["system:authenticated"], e.User.Groups);
            });
    }

    [Theory]
    [InlineData("t1,alice,u1\nt2,bob\n", "token file 'tokens.csv' line 2 must have at least 3 columns (token, user name, user uid), found 2")]
    [InlineData("t1,alice,u1\n\n# a comment\n", "token file 'tokens.csv' line 3 must have at least 3 columns (token, user name, user uid), found 1")]
    [InlineData("t1,al\"ice,u1\n", "token file 'tokens.csv': parse error on line 1, column 6: bare \" in non-quoted-field")]
    [InlineData("t1,\"alice\"x,u1\n", "token file 'tokens.csv': parse error on line 1, column 10: extraneous or missing \" in quoted-field")]
    [InlineData("t0,ok,u0\nt1,\"alice,u1\nt2,bob,u2\n", "token file 'tokens.csv': record on line 2; parse error on line 3, column 11: extraneous or missing \" in quoted-field")]
    public void A_malformed_line_is_an_error_naming_its_line(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => Parse(text));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void An_empty_token_is_skipped_and_a_repeated_one_replaces_the_first_with_warnings_that_never_show_a_token()
    {
        var file = Parse("secret-1,alice,u1\n,nobody,u0\nsecret-1,mallory,u2\n");

        var entry = Assert.Single(file.Entries);
        Assert.Equal(("mallory", 3), (entry.User.Name, entry.Line));
        Assert.Equal(
            [
                "empty token has been found in token file 'tokens.csv' line 2: skipped",
                "duplicate token has been found in token file 'tokens.csv' line 3: it replaces line 1",
            ],
            file.Warnings);
        Assert.DoesNotContain("secret-1", entry.ToString());
    }

    [Fact]
    public void A_missing_file_is_an_IO_error()
    {
        Assert.ThrowsAny<IOException>(() => TokenFile.Read(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "tokens.csv")));
    }
}
