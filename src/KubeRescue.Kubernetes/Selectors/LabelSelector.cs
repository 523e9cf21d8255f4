using System.Globalization;
using System.Text.Json.Nodes;
using k8s.Models;
using KubeRescue.Kubernetes.Text;
using KubeRescue.Kubernetes.Validation;

namespace KubeRescue.Kubernetes.Selectors;

/// <summary>Label selector operators (apimachinery selection.Operator).</summary>
public enum LabelOperator
{
    Equals,
    DoubleEquals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan,
}

/// <summary>One ANDed term of a label selector. Values are de-duplicated and sorted, as upstream.</summary>
public sealed record LabelRequirement(string Key, LabelOperator Operator, IReadOnlyList<string> Values)
{
    public bool Matches(IReadOnlyDictionary<string, string> labels) => Holds(Operator, Values, labels.TryGetValue(Key, out var value), value);

    /// <summary>Requirement.Matches: whether a label, present with <paramref name="value"/> or absent, meets the operator and values.</summary>
    public static bool Holds(LabelOperator op, IEnumerable<string>? values, bool has, string? value)
    {
        switch (op)
        {
            case LabelOperator.In or LabelOperator.Equals or LabelOperator.DoubleEquals:
                return has && values is not null && values.Contains(value!);
            case LabelOperator.NotIn or LabelOperator.NotEquals:
                return !has || values is null || !values.Contains(value!);
            case LabelOperator.Exists:
                return has;
            case LabelOperator.DoesNotExist:
                return !has;
            default:
                // Gt/Lt compare as int64; a non-numeric label value simply does not match.
                if (!has || values?.Take(2).ToList() is not [var limit]
                    || !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var actual)
                    || !long.TryParse(limit, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var bound))
                {
                    return false;
                }
                return op == LabelOperator.GreaterThan ? actual > bound : actual < bound;
        }
    }

    /// <summary>The operator of a metav1 LabelSelectorRequirement or a core NodeSelectorRequirement (Gt and Lt only there); null for any other.</summary>
    public static LabelOperator? OperatorNamed(string? name) => name switch
    {
        "In" => LabelOperator.In,
        "NotIn" => LabelOperator.NotIn,
        "Exists" => LabelOperator.Exists,
        "DoesNotExist" => LabelOperator.DoesNotExist,
        "Gt" => LabelOperator.GreaterThan,
        "Lt" => LabelOperator.LessThan,
        _ => null,
    };

    public override string ToString()
    {
        var op = Operator switch
        {
            LabelOperator.Equals => "=",
            LabelOperator.DoubleEquals => "==",
            LabelOperator.NotEquals => "!=",
            LabelOperator.In => " in ",
            LabelOperator.NotIn => " notin ",
            LabelOperator.GreaterThan => ">",
            LabelOperator.LessThan => "<",
            _ => "",
        };
        return Operator switch
        {
            LabelOperator.Exists => Key,
            LabelOperator.DoesNotExist => "!" + Key,
            LabelOperator.In or LabelOperator.NotIn => $"{Key}{op}({string.Join(",", Values)})",
            _ => Key + op + string.Join(",", Values),
        };
    }
}

/// <summary>
/// A label selector with apimachinery labels.Parse semantics: comma-separated requirements that must all hold.
/// </summary>
public sealed class LabelSelector
{
    private readonly bool _nothing;

    private LabelSelector(IReadOnlyList<LabelRequirement> requirements, bool nothing)
    {
        Requirements = requirements;
        _nothing = nothing;
    }

    /// <summary>Matches every object.</summary>
    public static LabelSelector Everything { get; } = new([], false);

    /// <summary>Matches no object (what a nil metav1.LabelSelector converts to).</summary>
    public static LabelSelector Nothing { get; } = new([], true);

    /// <summary>The requirements, sorted by key as upstream does.</summary>
    public IReadOnlyList<LabelRequirement> Requirements { get; }

    /// <summary>True when the selector places no restriction (upstream Selector.Empty()); false for <see cref="Nothing"/>.</summary>
    public bool IsEmpty => !_nothing && Requirements.Count == 0;

    /// <summary>Parses the labelSelector query parameter. Null, empty or blank selects everything.</summary>
    /// <exception cref="SelectorException">The server's 400 message for the bad selector.</exception>
    public static LabelSelector Parse(string? s)
    {
        if (string.IsNullOrEmpty(s))
        {
            return Everything;
        }
        var requirements = new LabelSelectorParser(s).Parse();
        return new LabelSelector(SortByKey(requirements), false);
    }

    /// <summary>
    /// Converts a metav1.LabelSelector (matchLabels + matchExpressions) like metav1.LabelSelectorAsSelector:
    /// a null selector matches nothing, an empty one ({}) matches everything.
    /// </summary>
    /// <exception cref="SelectorException">An invalid key, value or operator, with upstream's error text.</exception>
    public static LabelSelector FromLabelSelectorJson(JsonObject? selector)
    {
        if (selector is null)
        {
            return Nothing;
        }
        var matchLabels = selector["matchLabels"] as JsonObject;
        var matchExpressions = selector["matchExpressions"] as JsonArray;
        if ((matchLabels?.Count ?? 0) + (matchExpressions?.Count ?? 0) == 0)
        {
            return Everything;
        }
        var requirements = new List<LabelRequirement>();
        foreach (var (key, value) in matchLabels ?? [])
        {
            requirements.Add(NewRequirement(key, LabelOperator.Equals, [JsonText(value)], null));
        }
        foreach (var node in matchExpressions ?? [])
        {
            var expr = node as JsonObject;
            var opName = JsonText(expr?["operator"]);
            LabelOperator op = opName switch
            {
                "In" => LabelOperator.In,
                "NotIn" => LabelOperator.NotIn,
                "Exists" => LabelOperator.Exists,
                "DoesNotExist" => LabelOperator.DoesNotExist,
                _ => throw new SelectorException($"{GoFormat.Quote(opName)} is not a valid label selector operator"),
            };
            var values = (expr?["values"] as JsonArray)?.Select(JsonText).ToList();
            requirements.Add(NewRequirement(JsonText(expr?["key"]), op, values ?? [], values is null ? "null" : null));
        }
        return new LabelSelector(SortByKey(requirements), false);
    }

    /// <summary>Whether the label set satisfies every requirement. Null labels behave as an empty set.</summary>
    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        if (_nothing)
        {
            return false;
        }
        labels ??= new Dictionary<string, string>();
        return Requirements.All(r => r.Matches(labels));
    }

    /// <summary>
    /// metav1.LabelSelectorAsSelector(selector).Matches(labels): a null selector selects nothing, an empty one
    /// everything; one its conversion would reject (an operator it does not know, a requirement labels.NewRequirement
    /// refuses) selects nothing. Evaluated in place: controllers ask it for every pod they see.
    /// </summary>
    public static bool Matches(V1LabelSelector? selector, IDictionary<string, string>? labels)
    {
        if (selector is null) return false;
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            if (!IsValidRequirement(key, LabelOperator.Equals, [value])) return false;
            if (labels is null || !labels.TryGetValue(key, out var have) || have != value) return false;
        }
        foreach (var e in selector.MatchExpressions ?? [])
        {
            // Gt and Lt belong to node selectors only.
            var op = LabelRequirement.OperatorNamed(e.OperatorProperty);
            if (op is not (LabelOperator.In or LabelOperator.NotIn or LabelOperator.Exists or LabelOperator.DoesNotExist)) return false;
            if (!IsValidRequirement(e.Key, op.Value, e.Values)) return false;
            string? have = null;
            var has = labels is not null && labels.TryGetValue(e.Key, out have);
            if (!LabelRequirement.Holds(op.Value, e.Values, has, have)) return false;
        }
        return true;
    }

    /// <summary>Whether a selector places no restriction: set, with neither matchLabels nor matchExpressions.</summary>
    public static bool IsUnrestricted(V1LabelSelector? selector) =>
        selector is not null && selector.MatchLabels is not { Count: > 0 } && selector.MatchExpressions is not { Count: > 0 };

    /// <summary>Matches against the object's metadata.labels.</summary>
    public bool Matches(JsonObject obj) => Matches(LabelsOf(obj));

    public override string ToString() => string.Join(",", Requirements);

    public static Dictionary<string, string> LabelsOf(JsonObject obj)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (obj["metadata"]?["labels"] is JsonObject map)
        {
            foreach (var (k, v) in map)
            {
                labels[k] = JsonText(v);
            }
        }
        return labels;
    }

    /// <summary>
    /// labels.NewRequirement: validates key, value count and values, failing with the aggregated field errors.
    /// Field paths are rooted at nothing ("key", "values[0][k]") because the API server passes no path.
    /// </summary>
    internal static LabelRequirement NewRequirement(string key, LabelOperator op, List<string> values, string? renderedValues)
    {
        var errs = RequirementErrors(key, op, values, renderedValues);
        if (errs.Count > 0)
        {
            throw new SelectorException(Aggregate(errs));
        }
        return new LabelRequirement(key, op, values);
    }

    /// <summary>
    /// Whether labels.NewRequirement accepts the requirement. A selector whose conversion upstream would fail selects
    /// nothing, and the API server does not check everything a conversion does (node selector values, for one).
    /// </summary>
    internal static bool IsValidRequirement(string key, LabelOperator op, IList<string>? values) =>
        RequirementErrors(key, op, values ?? [], null).Count == 0;

    private static List<string> RequirementErrors(string key, LabelOperator op, IList<string> values, string? renderedValues)
    {
        var errs = new List<string>();
        var keyErrs = Content.IsQualifiedName(key);
        if (keyErrs.Count > 0)
        {
            errs.Add($"key: Invalid value: {GoFormat.Quote(key)}: {string.Join("; ", keyErrs)}");
        }
        string Rendered() => renderedValues ??= GoFormat.Json(new JsonArray(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()));
        switch (op)
        {
            case LabelOperator.In or LabelOperator.NotIn when values.Count == 0:
                errs.Add($"values: Invalid value: {Rendered()}: for 'in', 'notin' operators, values set can't be empty");
                break;
            case LabelOperator.Equals or LabelOperator.DoubleEquals or LabelOperator.NotEquals when values.Count != 1:
                errs.Add($"values: Invalid value: {Rendered()}: exact-match compatibility requires one single value");
                break;
            case LabelOperator.Exists or LabelOperator.DoesNotExist when values.Count != 0:
                errs.Add($"values: Invalid value: {Rendered()}: values set must be empty for exists and does not exist");
                break;
            case LabelOperator.GreaterThan or LabelOperator.LessThan:
                if (values.Count != 1)
                {
                    errs.Add($"values: Invalid value: {Rendered()}: for 'Gt', 'Lt' operators, exactly one value is required");
                }
                for (var i = 0; i < values.Count; i++)
                {
                    if (!long.TryParse(values[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                    {
                        errs.Add($"values[{i}]: Invalid value: {GoFormat.Quote(values[i])}: for 'Gt', 'Lt' operators, the value must be an integer");
                    }
                }
                break;
        }
        for (var i = 0; i < values.Count; i++)
        {
            var valueErrs = Content.IsLabelValue(values[i]);
            if (valueErrs.Count > 0)
            {
                errs.Add($"values[{i}][{key}]: Invalid value: {GoFormat.Quote(values[i])}: {string.Join("; ", valueErrs)}");
            }
        }
        return errs;
    }

    /// <summary>utilerrors.Aggregate.Error(): de-duplicated, bracketed only when more than one.</summary>
    internal static string Aggregate(IEnumerable<string> messages)
    {
        var distinct = messages.Distinct(StringComparer.Ordinal).ToList();
        return distinct.Count == 1 ? distinct[0] : "[" + string.Join(", ", distinct) + "]";
    }

    private static IReadOnlyList<LabelRequirement> SortByKey(List<LabelRequirement> requirements) =>
        requirements.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();

    private static string JsonText(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?.ToJsonString() ?? "";
}
