/** Areas: a lazily loaded tree from the user's roots, a search that jumps to an area, and a detail panel. */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import {
  Alert,
  AutoComplete,
  Breadcrumb,
  Card,
  Col,
  Descriptions,
  Empty,
  Input,
  Row,
  Spin,
  Tag,
  Tree,
  Typography,
} from 'antd';
import type { TreeDataNode } from 'antd';
import { LoadingOutlined, SearchOutlined } from '@ant-design/icons';
import { Link, useNavigate, useParams } from 'react-router';
import { isApiError, type ApiError } from '../../api';
import { formatDateTime, useLocale } from '../../i18n';
import { useSession } from '../../session';
import { Page } from '../../components/Page';
import { ErrorResult } from '../../components/ErrorResult';
import { useIsMobile } from '../../components/useIsMobile';
import { areasApi, type Area, type AreaDetail } from './api';
import { GridActions, GridPanel } from './GridPanel';

const LEVEL_COLORS: Record<Area['level'], string> = {
  province: 'magenta',
  city: 'volcano',
  district: 'orange',
  street: 'gold',
  community: 'cyan',
  grid: 'green',
};

function LevelTag({ level }: { level: Area['level'] }) {
  const { t } = useLocale();
  return (
    <Tag color={LEVEL_COLORS[level]} className="level-tag">
      {t(`area.level.${level}`)}
    </Tag>
  );
}

/** Search box: results by name or code prefix within the user's scope; choosing one opens it. */
function AreaSearch({ onPick }: { onPick: (code: string) => void }) {
  const { t } = useLocale();
  const [text, setText] = useState('');
  const [items, setItems] = useState<Area[]>([]);
  const [searching, setSearching] = useState(false);

  useEffect(() => {
    const q = text.trim();
    if (!q) {
      setItems([]);
      return;
    }
    const ac = new AbortController();
    // Debounced, and aborted when the user types on, so results never arrive out of order.
    const timer = window.setTimeout(() => {
      setSearching(true);
      areasApi
        .search(q, 20, ac.signal)
        .then((r) => setItems(r.items))
        .catch(() => setItems([]))
        .finally(() => setSearching(false));
    }, 250);
    return () => {
      window.clearTimeout(timer);
      ac.abort();
    };
  }, [text]);

  return (
    <AutoComplete
      value={text}
      onChange={setText}
      onSelect={(code: string) => {
        setText('');
        onPick(code);
      }}
      options={items.map((a) => ({
        value: a.code,
        label: (
          <div className="search-option" data-testid={`area-search-result-${a.code}`}>
            <span>
              {a.name} <LevelTag level={a.level} />
            </span>
            <Typography.Text type="secondary" className="mono">
              {a.code}
            </Typography.Text>
          </div>
        ),
      }))}
      notFoundContent={text.trim() && !searching ? t('areas.noResults') : null}
      style={{ width: '100%' }}
      popupMatchSelectWidth
    >
      <Input
        placeholder={t('areas.searchPlaceholder')}
        allowClear
        prefix={<SearchOutlined />}
        suffix={searching ? <LoadingOutlined /> : <span />}
        data-testid="area-search"
      />
    </AutoComplete>
  );
}

interface TreeState {
  roots: Area[] | null;
  children: Record<string, Area[]>;
}

function buildTree(nodes: Area[], children: Record<string, Area[]>): TreeDataNode[] {
  return nodes.map((a) => ({
    key: a.code,
    isLeaf: a.childCount === 0 && !children[a.code]?.length,
    title: (
      <span className="tree-title" data-testid={`area-node-${a.code}`}>
        {a.name}
      </span>
    ),
    children: children[a.code] ? buildTree(children[a.code] ?? [], children) : undefined,
  }));
}

function AreaDetailPanel({
  detail,
  rootCodes,
  basePath,
  canManageGrid,
  onGridsChanged,
}: {
  detail: AreaDetail;
  rootCodes: readonly string[];
  basePath: string;
  canManageGrid: boolean;
  onGridsChanged: (parentCode: string, deletedCode?: string) => void;
}) {
  const { t, locale } = useLocale();
  const parent = detail.ancestors[detail.ancestors.length - 1];
  // Ancestors above the user's own roots are outside its scope: named for orientation, not linked.
  const firstLinked = detail.ancestors.findIndex((a) => rootCodes.includes(a.code));
  // A grid's own page offers edit/delete; its parent community is the one the grid form needs.
  const parentAsArea: Area | null =
    detail.level === 'grid' && parent
      ? {
          code: parent.code,
          name: parent.name,
          level: 'community' as const,
          parentCode: null,
          path: '',
          childCount: 0,
          updatedAt: '',
        }
      : null;
  return (
    <div data-testid="area-detail">
      <Breadcrumb
        className="area-breadcrumb"
        items={[
          ...detail.ancestors.map((a, i) => ({
            key: a.code,
            title:
              firstLinked >= 0 && i >= firstLinked ? (
                <Link to={`${basePath}/${a.code}`}>{a.name}</Link>
              ) : (
                a.name
              ),
          })),
          { key: detail.code, title: detail.name },
        ]}
        data-testid="area-breadcrumb"
      />
      <Typography.Title level={4} className="area-name">
        {detail.name} <LevelTag level={detail.level} />
      </Typography.Title>
      <Descriptions
        size="small"
        bordered
        column={{ xs: 1, sm: 1, md: 1, lg: 2 }}
        items={[
          { key: 'level', label: t('areas.level'), children: t(`area.level.${detail.level}`) },
          { key: 'code', label: t('areas.code'), children: <span className="mono">{detail.code}</span> },
          { key: 'path', label: t('areas.path'), children: <span className="mono">{detail.path}</span> },
          { key: 'children', label: t('areas.childCount'), children: detail.childCount },
          { key: 'updated', label: t('areas.updatedAt'), children: formatDateTime(detail.updatedAt, locale) },
        ]}
      />
      {detail.level === 'community' ? (
        <GridPanel
          community={detail}
          canManage={canManageGrid}
          basePath={basePath}
          onChanged={() => onGridsChanged(detail.code)}
        />
      ) : null}
      {detail.level === 'grid' ? (
        <div className="grid-detail">
          <Typography.Title level={5}>{t('areas.boundary')}</Typography.Title>
          {detail.boundary ? (
            <pre className="json-block" data-testid="grid-boundary-view">
              {JSON.stringify(detail.boundary, null, 2)}
            </pre>
          ) : (
            <Typography.Paragraph type="secondary">{t('grids.noBoundary')}</Typography.Paragraph>
          )}
          {canManageGrid && parentAsArea ? (
            <GridActions
              grid={detail}
              community={parentAsArea}
              onChanged={() => onGridsChanged(parentAsArea.code)}
              onDeleted={() => onGridsChanged(parentAsArea.code, detail.code)}
            />
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

export default function AreasPage({ gridMode = false }: { gridMode?: boolean }) {
  const { t } = useLocale();
  const { can } = useSession();
  const navigate = useNavigate();
  const { code } = useParams();
  const isMobile = useIsMobile();
  const basePath = gridMode ? '/grids' : '/areas';
  const canManageGrid = can('manage', 'Grid');

  const [tree, setTree] = useState<TreeState>({ roots: null, children: {} });
  const [rootsError, setRootsError] = useState<ApiError | null>(null);
  const [expanded, setExpanded] = useState<string[]>([]);
  const [detail, setDetail] = useState<AreaDetail | null>(null);
  const [detailError, setDetailError] = useState<ApiError | null>(null);
  const [detailVersion, setDetailVersion] = useState(0);
  const detailRef = useRef<HTMLDivElement>(null);
  // The latest tree, for async code that must not act on a stale closure.
  const treeRef = useRef(tree);
  useLayoutEffect(() => {
    treeRef.current = tree;
  });

  const loadRoots = useCallback(() => {
    setRootsError(null);
    areasApi
      .roots()
      .then((r) => setTree((s) => ({ ...s, roots: r.items })))
      .catch((e: unknown) => {
        if (isApiError(e)) setRootsError(e);
      });
  }, []);

  useEffect(loadRoots, [loadRoots]);

  const loadChildren = useCallback(async (parent: string, force = false): Promise<Area[]> => {
    const cached = treeRef.current.children[parent];
    if (cached && !force) return cached;
    const r = await areasApi.children(parent);
    setTree((s) => ({ ...s, children: { ...s.children, [parent]: r.items } }));
    return r.items;
  }, []);

  // With a single root (a grid worker's grid, a community worker's community) open it straight away.
  useEffect(() => {
    const only = tree.roots?.length === 1 ? tree.roots[0] : undefined;
    if (!code && only) navigate(`${basePath}/${only.code}`, { replace: true });
  }, [code, tree.roots, basePath, navigate]);

  useEffect(() => {
    if (!code) {
      setDetail(null);
      setDetailError(null);
      return;
    }
    const ac = new AbortController();
    setDetailError(null);
    areasApi
      .get(code, ac.signal)
      .then(setDetail)
      .catch((e: unknown) => {
        if (isApiError(e)) {
          setDetail(null);
          setDetailError(e);
        }
      });
    return () => ac.abort();
  }, [code, detailVersion]);

  // Open the tree down to the shown area (e.g. after a search), loading each level that lies in the tree.
  useEffect(() => {
    if (!detail || !tree.roots) return;
    let cancelled = false;
    void (async () => {
      const s = treeRef.current;
      const inTree = new Set([...(s.roots ?? []), ...Object.values(s.children).flat()].map((a) => a.code));
      const opened: string[] = [];
      for (const { code: c } of detail.ancestors) {
        if (!inTree.has(c)) continue;
        const kids = await loadChildren(c).catch(() => []);
        for (const k of kids) inTree.add(k.code);
        opened.push(c);
      }
      if (!cancelled && opened.length) setExpanded((e) => [...new Set([...e, ...opened])]);
    })();
    return () => {
      cancelled = true;
    };
  }, [detail, tree.roots, loadChildren]);

  const rootCodes = useMemo(() => (tree.roots ?? []).map((a) => a.code), [tree.roots]);
  const treeData = useMemo(() => buildTree(tree.roots ?? [], tree.children), [tree]);

  const open = (c: string) => {
    navigate(`${basePath}/${c}`);
    if (isMobile) window.setTimeout(() => detailRef.current?.scrollIntoView({ behavior: 'smooth' }), 50);
  };

  const onGridsChanged = (parentCode: string, deletedCode?: string) => {
    void loadChildren(parentCode, true).catch(() => {});
    if (deletedCode) navigate(`${basePath}/${parentCode}`);
    else setDetailVersion((v) => v + 1);
  };

  if (rootsError) return <ErrorResult error={rootsError} onRetry={loadRoots} />;

  return (
    <Page title={gridMode ? t('menu.grids') : t('areas.title')}>
      {gridMode ? <Alert type="info" showIcon title={t('areas.gridsHint')} className="page-alert" /> : null}
      <Row gutter={[16, 16]}>
        <Col xs={24} md={10} lg={8}>
          <Card className="tree-card" title={t('areas.tree')} size="small">
            <AreaSearch onPick={open} />
            <div className="area-tree-wrap">
              {tree.roots === null ? (
                <Spin />
              ) : tree.roots.length === 0 ? (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('areas.noRoots')} />
              ) : (
                <Tree
                  treeData={treeData}
                  loadData={(node) => loadChildren(String(node.key)).then(() => undefined)}
                  expandedKeys={expanded}
                  onExpand={(keys) => setExpanded(keys.map(String))}
                  selectedKeys={code ? [code] : []}
                  onSelect={(keys) => {
                    const k = keys[0];
                    if (k !== undefined) open(String(k));
                  }}
                  blockNode
                  showLine
                  data-testid="area-tree"
                />
              )}
            </div>
          </Card>
        </Col>
        <Col xs={24} md={14} lg={16}>
          <div ref={detailRef}>
            <Card size="small" className="detail-card">
              {!code ? (
                <Empty description={t('areas.selectHint')} />
              ) : detailError ? (
                <ErrorResult error={detailError} onRetry={() => setDetailVersion((v) => v + 1)} />
              ) : !detail || detail.code !== code ? (
                <Spin />
              ) : (
                <AreaDetailPanel
                  detail={detail}
                  rootCodes={rootCodes}
                  basePath={basePath}
                  canManageGrid={canManageGrid}
                  onGridsChanged={onGridsChanged}
                />
              )}
            </Card>
          </div>
        </Col>
      </Row>
    </Page>
  );
}
