/** data-testid for antd button props objects (okButtonProps, ...), whose types do not list data-* attributes. */
import type { ButtonProps } from 'antd';

export function buttonTestId(id: string): ButtonProps {
  const props: ButtonProps & { 'data-testid': string } = { 'data-testid': id };
  return props;
}
