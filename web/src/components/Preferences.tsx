/** The language switcher and the large-text toggle, shown in the shell header and on the login page. */
import { App, Button, Dropdown, Tooltip } from 'antd';
import { FontSizeOutlined, GlobalOutlined } from '@ant-design/icons';
import { LOCALES, type Locale } from '../../../common/locale';
import { useLocale } from '../i18n';
import { useLargeText } from '../theme';

export function LanguageSwitch({ compact }: { compact?: boolean }) {
  const { locale, setLocale, t } = useLocale();
  const { message } = App.useApp();
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        selectable: true,
        selectedKeys: [locale],
        items: LOCALES.map((l) => ({ key: l, label: t(`lang.${l}`), 'data-testid': `lang-${l}` })),
        onClick: ({ key }) => {
          setLocale(key as Locale).catch(() => message.error(t('common.networkError')));
        },
      }}
    >
      <Button
        type="text"
        icon={<GlobalOutlined />}
        aria-label={t('lang.label')}
        data-testid="lang-switch"
        className="header-button"
      >
        {compact ? null : t(`lang.${locale}`)}
      </Button>
    </Dropdown>
  );
}

export function LargeTextToggle() {
  const { t } = useLocale();
  const { largeText, setLargeText } = useLargeText();
  return (
    <Tooltip title={largeText ? t('shell.largeTextOn') : t('shell.largeTextOff')}>
      <Button
        type={largeText ? 'primary' : 'text'}
        aria-pressed={largeText}
        aria-label={largeText ? t('shell.largeTextOn') : t('shell.largeTextOff')}
        onClick={() => setLargeText(!largeText)}
        data-testid="large-text-toggle"
        className="header-button"
        icon={<FontSizeOutlined />}
      >
        {t('shell.largeText')}
      </Button>
    </Tooltip>
  );
}
