namespace KubeRescue.Lab.ApiServer.Auth;

/// <summary>Who a request comes from, as apiserver's user.Info has it: name, uid and groups.</summary>
public sealed record UserInfo(string Name, string Uid, IReadOnlyList<string> Groups)
{
    /// <summary>The group authorization lets do anything, before any role is read (kube-apiserver's privileged group).</summary>
    public const string Masters = "system:masters";
    public const string AllAuthenticated = "system:authenticated";
    public const string AllUnauthenticated = "system:unauthenticated";
    public const string AnonymousName = "system:anonymous";
    public const string ServiceAccountPrefix = "system:serviceaccount:";

    /// <summary>A request with no credentials, where anonymous requests are accepted.</summary>
    public static readonly UserInfo Anonymous = new(AnonymousName, "", [AllUnauthenticated]);

    /// <summary>
    /// An authenticated user: <paramref name="groups"/> plus system:authenticated, as apiserver's
    /// AuthenticatedGroupAdder adds it unless either all-users group is already there.
    /// </summary>
    public static UserInfo Authenticated(string name, string uid, IEnumerable<string> groups)
    {
        var all = groups.ToList();
        if (!all.Contains(AllAuthenticated) && !all.Contains(AllUnauthenticated)) all.Add(AllAuthenticated);
        return new UserInfo(name, uid, all);
    }

    public bool InGroup(string group) => Groups.Contains(group);

    // Records compare lists by reference; users are compared by what they say.
    public bool Equals(UserInfo? other) =>
        other is not null && Name == other.Name && Uid == other.Uid && Groups.SequenceEqual(other.Groups);

    public override int GetHashCode() => HashCode.Combine(Name, Uid, Groups.Count);
}
