using System.Text;

namespace KubeRescue.Lab.Components.Nodes;

/// <summary>A container's stdout and stderr: whole lines, each prefixed with the container's name, into the fleet's log.</summary>
internal sealed class PrefixWriter(TextWriter target, string prefix) : TextWriter
{
    readonly StringBuilder _line = new();
    readonly Lock _gate = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_gate)
        {
            if (value == '\n')
            {
                target.WriteLine(prefix + _line.ToString().TrimEnd('\r'));
                _line.Clear();
            }
            else
            {
                _line.Append(value);
            }
        }
    }

    public override void Write(string? value)
    {
        if (value is null) return;
        lock (_gate) foreach (var c in value) Write(c);
    }

    public override void Flush()
    {
        lock (_gate)
        {
            if (_line.Length == 0) return;
            target.WriteLine(prefix + _line);
            _line.Clear();
        }
    }
}
