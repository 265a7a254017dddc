/**
 * Export of the resident list (of an area, or all within scope): masked by default as a plain download; "in clear"
 * asks for a purpose first (it is audited with it) and is offered only to those who may reveal personal data.
 */
import { useState } from 'react';
import { App, Button, Dropdown, Form, Input, Modal, Radio, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { PURPOSE_MAX, PURPOSE_MIN } from '../../../../common/schemas/people';
import { downloadFile, isApiError } from '../../api';
import { useLocale } from '../../i18n';
import { useSession } from '../../session';

function exportUrl(params: Record<string, string>): string {
  return `/api/residents/export?${new URLSearchParams(params).toString()}`;
}

/** Starts a download of a URL (the browser streams it to disk). */
function download(url: string) {
  const a = document.createElement('a');
  a.href = url;
  a.download = '';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

export function ExportButton({ areaCode }: { areaCode?: string }) {
  const { t } = useLocale();
  const { can } = useSession();
  const { message } = App.useApp();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ purpose: string; format: 'xlsx' | 'csv' }>();
  const base: Record<string, string> = areaCode ? { areaCode } : {};

  const masked = (format: 'xlsx' | 'csv') => {
    download(exportUrl({ ...base, format }));
    void message.info(t('peopleIo.export.started'));
  };

  // In clear: fetched first, so that a refusal (purpose, permission) is shown here rather than as a raw page.
  const unmasked = async (v: { purpose: string; format: 'xlsx' | 'csv' }) => {
    setBusy(true);
    try {
      await downloadFile('/api/residents/export', {
        ...base,
        format: v.format,
        unmasked: 'true',
        purpose: v.purpose.trim(),
      });
      setAsking(false);
      form.resetFields();
    } catch (e) {
      void message.error(isApiError(e) ? e.message : t('common.networkError'));
    } finally {
      setBusy(false);
    }
  };

  const items = [
    { key: 'xlsx', label: `${t('peopleIo.export.masked')} · XLSX`, 'data-testid': 'export-masked-xlsx' },
    { key: 'csv', label: `${t('peopleIo.export.masked')} · CSV`, 'data-testid': 'export-masked-csv' },
    ...(can('reveal', 'PersonalData')
      ? [{ key: 'clear', label: t('peopleIo.export.unmasked'), 'data-testid': 'export-unmasked' }]
      : []),
  ];

  return (
    <>
      <Dropdown
        menu={{
          items,
          onClick: ({ key }) => (key === 'clear' ? setAsking(true) : masked(key as 'xlsx' | 'csv')),
        }}
        trigger={['click']}
      >
        <Button icon={<DownloadOutlined />} data-testid="export-button">
          {t('peopleIo.export.button')}
        </Button>
      </Dropdown>
      <Modal
        open={asking}
        title={t('peopleIo.export.purposeTitle')}
        okText={t('peopleIo.export.confirm')}
        onOk={() => form.submit()}
        confirmLoading={busy}
        onCancel={() => setAsking(false)}
        destroyOnHidden
        okButtonProps={{ 'data-testid': 'export-confirm' } as Record<string, string>}
      >
        <Typography.Paragraph type="secondary">{t('peopleIo.export.purposeHint')}</Typography.Paragraph>
        <Form form={form} layout="vertical" initialValues={{ format: 'xlsx' }} onFinish={unmasked}>
          <Form.Item
            name="purpose"
            label={t('peopleIo.export.purpose')}
            rules={[{ required: true, min: PURPOSE_MIN, max: PURPOSE_MAX, whitespace: true }]}
          >
            <Input.TextArea rows={2} maxLength={PURPOSE_MAX} data-testid="export-purpose" />
          </Form.Item>
          <Form.Item name="format" label={t('peopleIo.export.format')}>
            <Radio.Group>
              <Radio value="xlsx">XLSX</Radio>
              <Radio value="csv">CSV</Radio>
            </Radio.Group>
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
