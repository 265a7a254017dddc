/** An area chooser: a TreeSelect that starts at the user's roots and loads children as nodes open. */
import { useEffect, useRef, useState } from 'react';
import { TreeSelect } from 'antd';
import { areasApi, type Area } from '../modules/areas/api';
import { useT } from '../i18n';

interface Node {
  id: string;
  pId: string | null;
  value: string;
  title: string;
  isLeaf: boolean;
}

function toNode(a: Area, parent: string | null): Node {
  return { id: a.code, pId: parent, value: a.code, title: `${a.name}`, isLeaf: a.childCount === 0 };
}

export interface AreaPickerProps {
  value?: string;
  onChange?: (value: string | undefined) => void;
  placeholder?: string;
  allowClear?: boolean;
  'data-testid'?: string;
  style?: React.CSSProperties;
  status?: 'error' | 'warning';
}

export function AreaPicker({
  value,
  onChange,
  placeholder,
  allowClear,
  style,
  status,
  ...rest
}: AreaPickerProps) {
  const t = useT();
  const [nodes, setNodes] = useState<Node[]>([]);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    const ac = new AbortController();
    areasApi
      .roots(ac.signal)
      .then((r) => setNodes(r.items.map((a) => toNode(a, null))))
      .catch(() => {
        // An empty picker says enough; the page around it shows load errors.
      })
      .finally(() => setLoading(false));
    return () => ac.abort();
  }, []);

  // A value given from outside (a URL's ?area=) shows its name, not its code: open the tree down to it.
  const opened = useRef<string | null>(null);
  const nodesRef = useRef(nodes);
  nodesRef.current = nodes;
  useEffect(() => {
    const nodes = nodesRef.current;
    if (loading || !value || opened.current === value || nodes.some((n) => n.id === value)) return;
    opened.current = value;
    // Not aborted on change: nodes added for an earlier value are still true nodes of the tree.
    void (async () => {
      try {
        const detail = await areasApi.get(value);
        const chain = detail.ancestors.map((a) => a.code);
        const start = chain.findIndex((c) => nodes.some((n) => n.id === c));
        if (start < 0) {
          setNodes((prev) => [...prev, toNode(detail, null)]);
          return;
        }
        const added: Node[] = [];
        for (const code of chain.slice(start)) {
          const r = await areasApi.children(code);
          added.push(...r.items.map((a) => toNode(a, code)));
        }
        setNodes((prev) => {
          const known = new Set(prev.map((n) => n.id));
          return [...prev, ...added.filter((n) => !known.has(n.id) && (known.add(n.id), true))];
        });
      } catch {
        // The code stays shown; the page around it reports load errors.
      }
    })();
  }, [value, loading]);

  const loadData = async (node: { value?: string | number | null }) => {
    const code = String(node.value ?? '');
    if (!code || nodes.some((n) => n.pId === code)) return;
    const r = await areasApi.children(code);
    setNodes((prev) => {
      const known = new Set(prev.map((n) => n.id));
      return [...prev, ...r.items.filter((a) => !known.has(a.code)).map((a) => toNode(a, code))];
    });
  };

  return (
    <div data-testid={rest['data-testid']} style={style}>
      <TreeSelect<string>
        treeDataSimpleMode
        treeData={nodes}
        loadData={loadData}
        value={value}
        onChange={(v) => onChange?.(v ?? undefined)}
        placeholder={placeholder ?? t('accounts.selectArea')}
        allowClear={allowClear}
        loading={loading}
        status={status}
        showSearch={{ treeNodeFilterProp: 'title' }}
        popupMatchSelectWidth={false}
        style={{ width: '100%' }}
        styles={{ popup: { root: { maxHeight: 420, overflow: 'auto', minWidth: 260 } } }}
      />
    </div>
  );
}
