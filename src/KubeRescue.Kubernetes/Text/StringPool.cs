namespace KubeRescue.Kubernetes.Text;

/// <summary>
/// One instance for equal short strings that recur across many objects: label keys and values, phases, node names,
/// images. At the lab's scale they were a quarter of its memory as separate copies. The pool is a fixed table of the
/// last string seen per hash slot, so it stays small whatever it is fed: values that recur keep their slot, unique
/// ones (names, uids) only pass through. Shared by the lab's API server (its selector attributes) and its
/// components (their decoded objects), which run in one process.
/// </summary>
public static class StringPool
{
    const int Slots = 1 << 16;
    const int MaxLength = 64;

    static readonly string?[] Pool = new string?[Slots];

    /// <summary>The pooled instance equal to <paramref name="s"/>, pooling it when its slot holds something else.</summary>
    public static string Share(string s)
    {
        if (s.Length > MaxLength) return s;
        ref var slot = ref Pool[(uint)s.GetHashCode() % Slots];
        var held = Volatile.Read(ref slot);
        if (held is not null && string.Equals(held, s, StringComparison.Ordinal)) return held;
        Volatile.Write(ref slot, s);
        return s;
    }
}
