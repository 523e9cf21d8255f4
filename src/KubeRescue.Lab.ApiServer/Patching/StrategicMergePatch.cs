using System.Text.Json.Nodes;

namespace KubeRescue.Lab.ApiServer.Patching;

/// <summary>
/// Server-side strategic merge patch with the semantics of apimachinery's strategicpatch.StrategicMergeMapPatch
/// over a built-in type's struct tags: maps merge recursively, null deletes, lists with patchStrategy merge are
/// merged by their merge key (lists of primitives as sets), other lists are replaced, and the directives
/// $patch (replace/delete, in maps and list items), $retainKeys, $setElementOrder/&lt;list&gt; and
/// $deleteFromPrimitiveList/&lt;list&gt; are honoured, with the same list ordering and the same errors.
/// </summary>
/// <remarks>
/// Deliberate differences, because the lab stores raw JSON where the real server round-trips a Go struct:
/// a field the model does not know is patched without metadata (maps merge, lists are replaced) instead of
/// failing with "unable to find api field"; directive keys left in the result (inside replaced or newly added
/// values) and null members of values taken verbatim from the patch are removed, as decoding into the Go
/// struct would drop them.
/// </remarks>
public static class StrategicMergePatch
{
    private const string DirectiveMarker = "$patch";
    private const string DeleteDirective = "delete";
    private const string ReplaceDirective = "replace";
    private const string MergeDirective = "merge";
    private const string RetainKeysDirective = "$retainKeys";
    private const string DeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList";
    private const string SetElementOrderPrefix = "$setElementOrder";

    private const string MapType = "map[string]interface {}";
    private const string SliceType = "[]interface {}";

    internal const string ErrBadPatchFormatForPrimitiveList = "invalid patch format of primitive list";
    internal const string ErrBadPatchFormatForRetainKeys = "invalid patch format of retainKeys";
    internal const string ErrBadPatchFormatForSetElementOrderList = "invalid patch format of setElementOrder list";
    internal const string ErrNoListOfLists = "lists of lists are not supported";

    /// <summary>
    /// Applies <paramref name="patch"/> to a copy of <paramref name="original"/>, an object of KubernetesClient model
    /// type <paramref name="modelType"/> (e.g. typeof(V1Deployment)). Failures throw <see cref="PatchException"/>
    /// with the status the API server answers: 400 for malformed directives, 422 for lists of lists and 500 (reason
    /// Unknown) for the errors strategicpatch does not classify, such as a list item without its merge key.
    /// </summary>
    public static JsonObject Apply(JsonObject original, JsonObject patch, Type modelType)
    {
        var result = MergeMap((JsonObject)original.DeepClone(), (JsonObject)patch.DeepClone(), modelType);
        StripDirectives(result);
        return result;
    }

    private static JsonObject MergeMap(JsonObject original, JsonObject patch, Type? schema)
    {
        if (patch.TryGetPropertyValue(DirectiveMarker, out var directive))
        {
            return HandleDirectiveInMergeMap(directive, patch);
        }

        ApplyRetainKeysDirective(original, patch);
        MergeSetElementOrderLists(original, patch, schema);

        foreach (var (patchKey, value) in patch.ToList())
        {
            // The patch itself stays intact: list merging still reads the merge keys of patch items afterwards.
            var patchValue = value?.DeepClone();
            var key = patchKey;
            var isDeleteList = patchKey.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal);
            if (isDeleteList)
            {
                key = ExtractKey(patchKey, DeleteFromPrimitiveListPrefix);
            }

            if (patchValue is null)
            {
                original.Remove(key);
                continue;
            }

            if (!original.TryGetPropertyValue(key, out var originalValue) || GoValues.KindOf(originalValue) != GoValues.KindOf(patchValue))
            {
                if (!isDeleteList)
                {
                    DiscardNulls(patchValue);
                    SetOrRemove(original, key, RemoveDirectives(patchValue, out var keep), keep);
                }

                continue;
            }

            switch (patchValue)
            {
                case JsonObject patchObject:
                {
                    var (child, strategy, _) = Metadata(schema, key);
                    if (strategy == ReplaceDirective)
                    {
                        DiscardNulls(patchObject);
                        original[key] = patchObject;
                    }
                    else
                    {
                        var merged = MergeMap((JsonObject)originalValue!, patchObject, child);
                        if (!ReferenceEquals(merged, originalValue))
                        {
                            original[key] = merged;
                        }
                    }

                    break;
                }

                case JsonArray patchArray:
                {
                    var (child, strategy, mergeKey) = Metadata(schema, key);
                    var merged = MergeSliceHandler(Detach((JsonArray)originalValue!), Detach(patchArray), child, strategy, mergeKey, isDeleteList);
                    original[key] = new JsonArray([.. merged]);
                    break;
                }

                default:
                    original[key] = patchValue;
                    break;
            }
        }

        return original;
    }

    private static JsonObject HandleDirectiveInMergeMap(JsonNode? directive, JsonObject patch)
    {
        if (IsString(directive, ReplaceDirective))
        {
            patch.Remove(DirectiveMarker);
            DiscardNulls(patch);
            return patch;
        }

        if (IsString(directive, DeleteDirective))
        {
            return [];
        }

        throw ErrBadPatchType(directive, patch);
    }

    // $retainKeys clears every original field it does not name; the patch may only set fields it names.
    private static void ApplyRetainKeysDirective(JsonObject original, JsonObject patch)
    {
        if (!patch.TryGetPropertyValue(RetainKeysDirective, out var retainKeys))
        {
            return;
        }

        patch.Remove(RetainKeysDirective);
        if (retainKeys is not JsonArray list)
        {
            throw PatchException.BadRequest(ErrBadPatchFormatForRetainKeys);
        }

        var retained = list.Where(k => GoValues.KindOf(k) == GoKind.String).Select(k => k!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, value) in patch)
        {
            if (value is not null
                && !key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal)
                && !key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal)
                && !retained.Contains(key))
            {
                throw PatchException.BadRequest(ErrBadPatchFormatForRetainKeys);
            }
        }

        foreach (var (key, _) in original.ToList())
        {
            if (!retained.Contains(key))
            {
                original.Remove(key);
            }
        }
    }

    // Merges each list named by a $setElementOrder/<list> directive together with its patch list, then orders the
    // result: $setElementOrder first, server-only items slotted in where the live list had them.
    private static void MergeSetElementOrderLists(JsonObject original, JsonObject patch, Type? schema)
    {
        foreach (var (directiveKey, _) in patch.ToList())
        {
            if (!directiveKey.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var setElementOrder = Detach(patch, directiveKey);
            if (setElementOrder is not JsonArray orderArray)
            {
                throw ErrBadArgType(SliceType, setElementOrder);
            }

            var order = orderArray.ToList();
            var key = ExtractKey(directiveKey, SetElementOrderPrefix);
            var foundOriginal = original.TryGetPropertyValue(key, out var originalList);
            var foundPatch = patch.TryGetPropertyValue(key, out var patchList);
            if (foundOriginal && originalList is not JsonArray)
            {
                throw ErrBadArgType(SliceType, originalList);
            }

            if (foundPatch && patchList is not JsonArray)
            {
                throw ErrBadArgType(SliceType, patchList);
            }

            var (child, strategy, mergeKey) = Metadata(schema, key);
            var originalItems = foundOriginal ? Detach((JsonArray)originalList!) : [];
            var patchItems = foundPatch ? Detach((JsonArray)patchList!) : [];
            ValidatePatchWithSetOrderList(patchItems, order, mergeKey);

            // The element kind comes from the lists as sent, before merging rewrites them.
            var kind = TrySliceElementKind(originalItems, patchItems);
            List<JsonNode?> merged;
            if (foundOriginal && foundPatch)
            {
                merged = MergeSliceHandler([.. originalItems], patchItems, child, strategy, mergeKey, isDeleteList: false);
            }
            else if (foundPatch)
            {
                merged = [];
                foreach (var item in patchItems)
                {
                    var cleaned = RemoveDirectives(item, out var keep);
                    if (keep)
                    {
                        DiscardNulls(cleaned);
                        merged.Add(cleaned);
                    }
                }
            }
            else if (foundOriginal)
            {
                merged = originalItems;
            }
            else
            {
                continue;
            }

            var (inOrder, serverOnly) = Partition(merged, order, mergeKey);
            var both = NormalizeElementOrder(inOrder, serverOnly, order, originalItems, mergeKey, kind.Kind ?? throw kind.Error!);
            original[key] = new JsonArray([.. both]);
            patch.Remove(key);
        }
    }

    private static void ValidatePatchWithSetOrderList(List<JsonNode?> patchList, List<JsonNode?> setOrderList, string mergeKey)
    {
        if (setOrderList.Count == 0 || patchList.Count == 0)
        {
            return;
        }

        var nonDelete = mergeKey.Length > 0 ? ExtractToDeleteItems(patchList).NonDelete : patchList;
        int patchIndex = 0, orderIndex = 0;
        while (patchIndex < nonDelete.Count && orderIndex < setOrderList.Count)
        {
            if (nonDelete[patchIndex] is JsonObject item && item.ContainsKey(DirectiveMarker))
            {
                patchIndex++;
                continue;
            }

            if (MergeKeyValueEqual(nonDelete[patchIndex], setOrderList[orderIndex], mergeKey))
            {
                patchIndex++;
            }

            orderIndex++;
        }

        if (patchIndex < nonDelete.Count && orderIndex >= setOrderList.Count)
        {
            throw PatchException.Internal(
                $"The order in patch list:\n{GoValues.FormatV(new JsonArray([.. patchList.Select(n => n?.DeepClone())]))}\n doesn't match {SetElementOrderPrefix} list:\n{GoValues.FormatV(new JsonArray([.. setOrderList.Select(n => n?.DeepClone())]))}\n");
        }
    }

    private static bool MergeKeyValueEqual(JsonNode? left, JsonNode? right, string mergeKey)
    {
        if (mergeKey.Length == 0)
        {
            return GoValues.ScalarEquals(left, right);
        }

        var typedLeft = left as JsonObject ?? throw ErrBadArgType(MapType, left);
        var typedRight = right as JsonObject ?? throw ErrBadArgType(MapType, right);
        if (!typedLeft.TryGetPropertyValue(mergeKey, out var leftKey))
        {
            throw ErrNoMergeKey(typedLeft, mergeKey);
        }

        if (!typedRight.TryGetPropertyValue(mergeKey, out var rightKey))
        {
            throw ErrNoMergeKey(typedRight, mergeKey);
        }

        return GoValues.ScalarEquals(leftKey, rightKey);
    }

    private static List<JsonNode?> MergeSliceHandler(
        List<JsonNode?> original, List<JsonNode?> patch, Type? schema, string strategy, string mergeKey, bool isDeleteList)
    {
        // Deletion lists are applied whatever the field's strategy.
        if (strategy == MergeDirective || isDeleteList)
        {
            return MergeSlice(original, patch, schema, mergeKey, isDeleteList);
        }

        patch.ForEach(DiscardNulls);
        return patch;
    }

    private static List<JsonNode?> MergeSlice(List<JsonNode?> original, List<JsonNode?> patch, Type? schema, string mergeKey, bool isDeleteList)
    {
        if (original.Count == 0 && patch.Count == 0)
        {
            return original;
        }

        var elementKind = TrySliceElementKind(original, patch);
        var kind = elementKind.Kind ?? throw elementKind.Error!;
        List<JsonNode?> merged;
        if (kind != GoKind.Map)
        {
            if (isDeleteList)
            {
                return original.Where(item => !patch.Any(d => GoValues.ScalarEquals(item, d))).ToList();
            }

            merged = [];
            foreach (var item in original.Concat(patch))
            {
                if (!merged.Any(m => GoValues.ScalarEquals(m, item)))
                {
                    merged.Add(item);
                }
            }
        }
        else
        {
            if (mergeKey.Length == 0)
            {
                throw PatchException.Internal("cannot merge lists without merge key for struct");
            }

            (original, patch) = MergeSliceWithSpecialElements(original, patch, mergeKey);
            merged = MergeSliceWithoutSpecialElements([.. original], patch, mergeKey, schema);
        }

        var (patchItems, serverOnly) = Partition(merged, patch, mergeKey);
        return NormalizeElementOrder(patchItems, serverOnly, patch, original, mergeKey, kind);
    }

    // Applies the list-item directives: "$patch: delete" removes every item with that merge key value,
    // "$patch: replace" makes the patch's other items the whole list.
    private static (List<JsonNode?> Original, List<JsonNode?> Patch) MergeSliceWithSpecialElements(
        List<JsonNode?> original, List<JsonNode?> patch, string mergeKey)
    {
        var withoutSpecial = new List<JsonNode?>();
        var replace = false;
        foreach (var item in patch)
        {
            var typed = (JsonObject)item!;
            if (!typed.TryGetPropertyValue(DirectiveMarker, out var directive))
            {
                withoutSpecial.Add(item);
            }
            else if (IsString(directive, DeleteDirective))
            {
                if (!typed.TryGetPropertyValue(mergeKey, out var value))
                {
                    throw ErrNoMergeKey(typed, mergeKey);
                }

                original = original.Where((entry, index) => !MatchesMergeKey(entry, index, mergeKey, value)).ToList();
            }
            else if (IsString(directive, ReplaceDirective))
            {
                // Later items are still scanned so that their directives are dropped too.
                replace = true;
            }
            else if (IsString(directive, MergeDirective))
            {
                throw PatchException.Internal("merging lists cannot yet be specified in the patch");
            }
            else
            {
                throw ErrBadPatchType(directive, typed);
            }
        }

        if (replace)
        {
            withoutSpecial.ForEach(DiscardNulls);
            return (withoutSpecial, []);
        }

        return (original, withoutSpecial);
    }

    private static List<JsonNode?> MergeSliceWithoutSpecialElements(List<JsonNode?> original, List<JsonNode?> patch, string mergeKey, Type? schema)
    {
        foreach (var item in patch)
        {
            var typed = (JsonObject)item!;
            if (!typed.TryGetPropertyValue(mergeKey, out var value))
            {
                throw ErrNoMergeKey(typed, mergeKey);
            }

            var index = -1;
            for (var i = 0; i < original.Count; i++)
            {
                if (MatchesMergeKey(original[i], i, mergeKey, value))
                {
                    index = i;
                    break;
                }
            }

            if (index >= 0)
            {
                original[index] = MergeMap((JsonObject)original[index]!, typed, schema);
            }
            else
            {
                DiscardNulls(typed);
                original.Add(typed);
            }
        }

        return original;
    }

    private static bool MatchesMergeKey(JsonNode? entry, int index, string mergeKey, JsonNode? value)
    {
        if (entry is not JsonObject typed)
        {
            throw PatchException.Internal($"value for key {index} is not a map");
        }

        return typed.TryGetPropertyValue(mergeKey, out var candidate) && GoValues.ScalarEquals(candidate, value);
    }

    // Splits items into those named by partitionBy and those only the server has, keeping their order.
    private static (List<JsonNode?> InList, List<JsonNode?> NotInList) Partition(List<JsonNode?> items, List<JsonNode?> partitionBy, string mergeKey)
    {
        var inList = new List<JsonNode?>();
        var notInList = new List<JsonNode?>();
        foreach (var item in items)
        {
            bool found;
            if (mergeKey.Length == 0)
            {
                found = partitionBy.Any(p => GoValues.ScalarEquals(p, item));
            }
            else
            {
                var typed = item as JsonObject ?? throw ErrBadArgType(MapType, item);
                if (!typed.TryGetPropertyValue(mergeKey, out var value))
                {
                    throw ErrNoMergeKey(typed, mergeKey);
                }

                found = false;
                for (var i = 0; i < partitionBy.Count && !found; i++)
                {
                    found = MatchesMergeKey(partitionBy[i], i, mergeKey, value);
                }
            }

            (found ? inList : notInList).Add(item);
        }

        return (inList, notInList);
    }

    // Sorts patch items by patchOrder and server-only items by serverOrder, then interleaves them: a server-only
    // item goes before a patch item only when the live list had it first.
    private static List<JsonNode?> NormalizeElementOrder(
        List<JsonNode?> patch, List<JsonNode?> serverOnly, List<JsonNode?> patchOrder, List<JsonNode?> serverOrder, string mergeKey, GoKind kind)
    {
        var left = NormalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
        var right = NormalizeSliceOrder(patch, patchOrder, mergeKey, kind);
        var all = new List<JsonNode?>(left.Count + right.Count);
        int i = 0, j = 0;
        while (i < left.Count || j < right.Count)
        {
            if (j >= right.Count)
            {
                all.Add(left[i++]);
            }
            else if (i >= left.Count)
            {
                all.Add(right[j++]);
            }
            else
            {
                var li = IndexOf(serverOrder, left[i], mergeKey, kind);
                var ri = IndexOf(serverOrder, right[j], mergeKey, kind);
                all.Add(li >= 0 && ri >= 0 && li < ri ? left[i++] : right[j++]);
            }
        }

        return all;
    }

    private static List<JsonNode?> NormalizeSliceOrder(List<JsonNode?> toSort, List<JsonNode?> order, string mergeKey, GoKind kind)
    {
        List<JsonNode?> toDelete = [];
        if (kind == GoKind.Map)
        {
            foreach (var item in toSort.Concat(order))
            {
                var typed = item as JsonObject ?? throw ErrBadArgType(MapType, item);
                if (!typed.ContainsKey(mergeKey))
                {
                    throw ErrNoMergeKey(typed, mergeKey);
                }
            }

            (toSort, toDelete) = ExtractToDeleteItems(toSort);
        }

        return [.. toSort.OrderBy(item => IndexOf(order, item, mergeKey, kind)), .. toDelete];
    }

    private static (List<JsonNode?> NonDelete, List<JsonNode?> ToDelete) ExtractToDeleteItems(List<JsonNode?> items)
    {
        var nonDelete = new List<JsonNode?>();
        var toDelete = new List<JsonNode?>();
        foreach (var item in items)
        {
            var typed = item as JsonObject ?? throw ErrBadArgType(MapType, item);
            var isDelete = typed.TryGetPropertyValue(DirectiveMarker, out var directive) && IsString(directive, DeleteDirective);
            (isDelete ? toDelete : nonDelete).Add(item);
        }

        return (nonDelete, toDelete);
    }

    private static int IndexOf(List<JsonNode?> list, JsonNode? item, string mergeKey, GoKind kind)
    {
        var value = kind == GoKind.Map ? (item as JsonObject)?[mergeKey] : item;
        for (var i = 0; i < list.Count; i++)
        {
            var candidate = kind == GoKind.Map ? (list[i] as JsonObject)?[mergeKey] : list[i];
            if (GoValues.ScalarEquals(candidate, value))
            {
                return i;
            }
        }

        return -1;
    }

    // The single Go type shared by all items of the lists; lists of lists and mixed lists are rejected.
    private static (GoKind? Kind, PatchException? Error) TrySliceElementKind(params List<JsonNode?>[] lists)
    {
        GoKind? kind = null;
        foreach (var item in lists.SelectMany(l => l))
        {
            var current = GoValues.KindOf(item);
            if (kind is null)
            {
                if (current == GoKind.Slice)
                {
                    return (null, new PatchException(422, PatchException.ReasonInvalid, ErrNoListOfLists));
                }

                kind = current;
            }
            else if (kind != current)
            {
                var rendered = string.Join(" ", lists.Select(l => GoValues.FormatV(new JsonArray([.. l.Select(n => n?.DeepClone())]))));
                return (null, PatchException.Internal($"list element types are not identical: [{rendered}]"));
            }
        }

        return kind is null ? (null, PatchException.Internal("no elements in any of the given slices")) : (kind, null);
    }

    // The field's child model type, its strategy without retainKeys (which only the client acts on) and merge key.
    private static (Type? Child, string Strategy, string MergeKey) Metadata(Type? schema, string key)
    {
        if (schema is null)
        {
            return (null, "", "");
        }

        var meta = PatchStrategies.Lookup(schema, key);
        var strategy = meta?.Strategy.Split(',').FirstOrDefault(s => s != "retainKeys") ?? "";
        return (PatchStrategies.ChildModelType(schema, key), strategy, meta?.MergeKey ?? "");
    }

    private static string ExtractKey(string key, string prefix)
    {
        var parts = key.Split('/', 2);
        if (parts.Length <= 1 || parts[0] != prefix)
        {
            throw PatchException.BadRequest(prefix == SetElementOrderPrefix
                ? ErrBadPatchFormatForSetElementOrderList
                : ErrBadPatchFormatForPrimitiveList);
        }

        return parts[1];
    }

    // Drops maps carrying $patch (a directive with nothing to act on) from a value about to be taken as is.
    private static JsonNode? RemoveDirectives(JsonNode? node, out bool keep)
    {
        keep = true;
        switch (node)
        {
            case JsonObject obj when obj.ContainsKey(DirectiveMarker):
                keep = false;
                return null;
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    RemoveDirectives(value, out var keepValue);
                    if (!keepValue)
                    {
                        obj.Remove(key);
                    }
                }

                return obj;
            case JsonArray array:
                var items = Detach(array);
                foreach (var item in items)
                {
                    RemoveDirectives(item, out var keepItem);
                    if (keepItem)
                    {
                        array.Add(item);
                    }
                }

                return array;
            default:
                return node;
        }
    }

    private static void DiscardNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    if (value is null)
                    {
                        obj.Remove(key);
                    }
                    else
                    {
                        DiscardNulls(value);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    DiscardNulls(item);
                }

                break;
        }
    }

    private static void StripDirectives(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    if (key is DirectiveMarker or RetainKeysDirective
                        || key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal)
                        || key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal))
                    {
                        obj.Remove(key);
                    }
                    else
                    {
                        StripDirectives(value);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    StripDirectives(item);
                }

                break;
        }
    }

    private static void SetOrRemove(JsonObject obj, string key, JsonNode? value, bool keep)
    {
        if (keep)
        {
            obj[key] = value;
        }
        else
        {
            obj.Remove(key);
        }
    }

    private static JsonNode? Detach(JsonObject obj, string key)
    {
        obj.TryGetPropertyValue(key, out var value);
        obj.Remove(key);
        return value;
    }

    private static List<JsonNode?> Detach(JsonArray array)
    {
        var items = array.ToList();
        array.Clear();
        return items;
    }

    private static bool IsString(JsonNode? node, string expected) =>
        GoValues.KindOf(node) == GoKind.String && node!.GetValue<string>() == expected;

    private static PatchException ErrNoMergeKey(JsonObject map, string mergeKey) =>
        PatchException.Internal($"map: {GoValues.FormatV(map)} does not contain declared merge key: {mergeKey}");

    private static PatchException ErrBadArgType(string expected, JsonNode? actual) =>
        PatchException.Internal($"expected a {expected}, but received a {GoValues.TypeName(actual)}");

    private static PatchException ErrBadPatchType(JsonNode? directive, JsonObject map) =>
        PatchException.Internal($"unknown patch type: {GoValues.FormatS(directive)} in map: {GoValues.FormatV(map)}");
}
