using KubeRescue.Kubernetes.Text;
using KubeRescue.Kubernetes.Validation;

namespace KubeRescue.Kubernetes.Selectors;

/// <summary>
/// Lexer and recursive-descent parser mirroring apimachinery's labels.Parse token by token, so that the
/// accepted language and every error message match the real API server.
/// </summary>
internal sealed class LabelSelectorParser
{
    private enum Token
    {
        Error,
        EndOfString,
        ClosedPar,
        Comma,
        DoesNotExist,
        DoubleEquals,
        Equals,
        GreaterThan,
        Identifier,
        In,
        LessThan,
        NotEquals,
        NotIn,
        OpenPar,
    }

    // The "expected:" list upstream prints for a missing binary operator.
    private const string BinaryOperators = "in, notin, =, ==, !=, gt, lt";

    private static readonly Dictionary<string, Token> Literals = new(StringComparer.Ordinal)
    {
        [")"] = Token.ClosedPar,
        [","] = Token.Comma,
        ["!"] = Token.DoesNotExist,
        ["=="] = Token.DoubleEquals,
        ["="] = Token.Equals,
        [">"] = Token.GreaterThan,
        ["in"] = Token.In,
        ["<"] = Token.LessThan,
        ["!="] = Token.NotEquals,
        ["notin"] = Token.NotIn,
        ["("] = Token.OpenPar,
    };

    private readonly List<(Token Tok, string Lit)> _items = [];
    private int _position;

    public LabelSelectorParser(string input)
    {
        var lexer = new Lexer(input);
        while (true)
        {
            var item = lexer.Lex();
            _items.Add(item);
            if (item.Tok == Token.EndOfString)
            {
                break;
            }
        }
    }

    public List<LabelRequirement> Parse()
    {
        var requirements = new List<LabelRequirement>();
        while (true)
        {
            var (tok, lit) = Lookahead(values: true);
            switch (tok)
            {
                case Token.Identifier or Token.DoesNotExist:
                    LabelRequirement requirement;
                    try
                    {
                        requirement = ParseRequirement();
                    }
                    catch (SelectorException e)
                    {
                        throw new SelectorException("unable to parse requirement: " + e.Message);
                    }
                    requirements.Add(requirement);
                    var (t, l) = Consume(values: true);
                    switch (t)
                    {
                        case Token.EndOfString:
                            return requirements;
                        case Token.Comma:
                            var (t2, l2) = Lookahead(values: true);
                            if (t2 is not (Token.Identifier or Token.DoesNotExist))
                            {
                                throw new SelectorException($"found '{l2}', expected: identifier after ','");
                            }
                            break;
                        default:
                            throw new SelectorException($"found '{l}', expected: ',' or 'end of string'");
                    }
                    break;
                case Token.EndOfString:
                    return requirements;
                default:
                    throw new SelectorException($"found '{lit}', expected: !, identifier, or 'end of string'");
            }
        }
    }

    private LabelRequirement ParseRequirement()
    {
        var (key, op) = ParseKeyAndInferOperator();
        if (op is LabelOperator.Exists or LabelOperator.DoesNotExist)
        {
            return LabelSelector.NewRequirement(key, op.Value, [], null);
        }
        var binary = ParseOperator();
        var values = binary is LabelOperator.In or LabelOperator.NotIn ? ParseValues() : ParseExactValue();
        return LabelSelector.NewRequirement(key, binary, values.Order(StringComparer.Ordinal).ToList(), null);
    }

    private (string Key, LabelOperator? Op) ParseKeyAndInferOperator()
    {
        LabelOperator? op = null;
        var (tok, literal) = Consume(values: true);
        if (tok == Token.DoesNotExist)
        {
            op = LabelOperator.DoesNotExist;
            (tok, literal) = Consume(values: true);
        }
        if (tok != Token.Identifier)
        {
            throw new SelectorException($"found '{literal}', expected: identifier");
        }
        var keyErrs = Content.IsQualifiedName(literal);
        if (keyErrs.Count > 0)
        {
            // Upstream validates with a nil field path, which prints as "<nil>".
            throw new SelectorException($"<nil>: Invalid value: {GoFormat.Quote(literal)}: {string.Join("; ", keyErrs)}");
        }
        if (Lookahead(values: true).Tok is Token.EndOfString or Token.Comma && op != LabelOperator.DoesNotExist)
        {
            op = LabelOperator.Exists;
        }
        return (literal, op);
    }

    private LabelOperator ParseOperator()
    {
        var (tok, lit) = Consume(values: false);
        return tok switch
        {
            Token.In => LabelOperator.In,
            Token.Equals => LabelOperator.Equals,
            Token.DoubleEquals => LabelOperator.DoubleEquals,
            Token.GreaterThan => LabelOperator.GreaterThan,
            Token.LessThan => LabelOperator.LessThan,
            Token.NotIn => LabelOperator.NotIn,
            Token.NotEquals => LabelOperator.NotEquals,
            _ => throw new SelectorException($"found '{lit}', expected: {BinaryOperators}"),
        };
    }

    private HashSet<string> ParseValues()
    {
        var (tok, lit) = Consume(values: true);
        if (tok != Token.OpenPar)
        {
            throw new SelectorException($"found '{lit}' expected: '('");
        }
        (tok, lit) = Lookahead(values: true);
        switch (tok)
        {
            case Token.Identifier or Token.Comma:
                var set = ParseIdentifiersList();
                if (Consume(values: true).Tok != Token.ClosedPar)
                {
                    throw new SelectorException($"found '{lit}', expected: ')'");
                }
                return set;
            case Token.ClosedPar:
                // "()" is the set holding only the empty string.
                Consume(values: true);
                return [""];
            default:
                throw new SelectorException($"found '{lit}', expected: ',', ')' or identifier");
        }
    }

    // Empty elements ("(,a)", "(a,)", "(a,,b)") stand for the empty string, as upstream.
    private HashSet<string> ParseIdentifiersList()
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var (tok, lit) = Consume(values: true);
            switch (tok)
            {
                case Token.Identifier:
                    set.Add(lit);
                    var (tok2, lit2) = Lookahead(values: true);
                    switch (tok2)
                    {
                        case Token.Comma:
                            continue;
                        case Token.ClosedPar:
                            return set;
                        default:
                            throw new SelectorException($"found '{lit2}', expected: ',' or ')'");
                    }
                case Token.Comma:
                    if (set.Count == 0)
                    {
                        set.Add("");
                    }
                    var next = Lookahead(values: true).Tok;
                    if (next == Token.ClosedPar)
                    {
                        set.Add("");
                        return set;
                    }
                    if (next == Token.Comma)
                    {
                        set.Add("");
                    }
                    break;
                default:
                    throw new SelectorException($"found '{lit}', expected: ',', or identifier");
            }
        }
    }

    private HashSet<string> ParseExactValue()
    {
        if (Lookahead(values: true).Tok is Token.EndOfString or Token.Comma)
        {
            return [""];
        }
        var (tok, lit) = Consume(values: true);
        if (tok == Token.Identifier)
        {
            return [lit];
        }
        throw new SelectorException($"found '{lit}', expected: identifier");
    }

    // In value position the keywords "in" and "notin" are ordinary identifiers.
    private (Token Tok, string Lit) Lookahead(bool values) => Contextual(_items[_position], values);

    private (Token Tok, string Lit) Consume(bool values) => Contextual(_items[_position++], values);

    private static (Token Tok, string Lit) Contextual((Token Tok, string Lit) item, bool values) =>
        values && item.Tok is Token.In or Token.NotIn ? (Token.Identifier, item.Lit) : item;

    private sealed class Lexer(string s)
    {
        private int _pos;

        public (Token Tok, string Lit) Lex()
        {
            var ch = SkipWhiteSpace(Read());
            if (ch == '\0')
            {
                return (Token.EndOfString, "");
            }
            _pos--;
            return IsSpecialSymbol(ch) ? ScanSpecialSymbol() : ScanIdOrKeyword();
        }

        // Go's lexer reads a NUL byte as end of input; so does this one.
        private char Read() => _pos < s.Length ? s[_pos++] : '\0';

        private char SkipWhiteSpace(char ch)
        {
            while (ch is ' ' or '\t' or '\r' or '\n')
            {
                ch = Read();
            }
            return ch;
        }

        private static bool IsSpecialSymbol(char ch) => ch is '=' or '!' or '(' or ')' or ',' or '>' or '<';

        private (Token, string) ScanIdOrKeyword()
        {
            var start = _pos;
            while (_pos < s.Length && s[_pos] != '\0' && !IsSpecialSymbol(s[_pos]) && s[_pos] is not (' ' or '\t' or '\r' or '\n'))
            {
                _pos++;
            }
            var word = s[start.._pos];
            return Literals.TryGetValue(word, out var tok) ? (tok, word) : (Token.Identifier, word);
        }

        // Longest run of special characters that still forms an operator ("!=" but not "!=(").
        private (Token, string) ScanSpecialSymbol()
        {
            var buffer = "";
            (Token Tok, string Lit)? last = null;
            while (_pos < s.Length && IsSpecialSymbol(s[_pos]))
            {
                buffer += s[_pos++];
                if (Literals.TryGetValue(buffer, out var tok))
                {
                    last = (tok, buffer);
                }
                else if (last is not null)
                {
                    _pos--;
                    break;
                }
            }
            return last ?? (Token.Error, $"error expected: keyword found '{buffer}'");
        }
    }
}
