/**
 * A form in a modal, as the register's and the visit rules' dialogs all have it: OK submits the form, the button
 * spins while the request runs, a server validation error goes onto the form's fields (when `fieldErrors`) and
 * anything else shows above the form; the modal stays open until the request succeeds.
 */
import { useState, type ReactNode } from 'react';
import { Alert, Form, Modal, type ButtonProps, type FormInstance } from 'antd';
import { isApiError, type ApiError } from '../api';
import { applyServerErrors } from './formErrors';

export interface FormModalProps<T> {
  open: boolean;
  title: ReactNode;
  form: FormInstance<T>;
  /** Sends the values; throws the ApiError of a refused request. */
  onSubmit: (values: T) => Promise<void>;
  onClose: () => void;
  /** Put field errors of the answer on the form's fields: true for any field, or only these top-level names. */
  fieldErrors?: boolean | readonly string[];
  initialValues?: Partial<T>;
  /** Shown above the error and the form (e.g. a warning). */
  notice?: ReactNode;
  okText?: ReactNode;
  cancelText?: ReactNode;
  okButtonProps?: ButtonProps;
  /** Keep the form mounted while closed (so `form` is connected before the first opening). */
  forceRender?: boolean;
  children: ReactNode;
  'data-testid'?: string;
}

/** See the module comment. */
export function FormModal<T>(props: FormModalProps<T>) {
  const { form, onSubmit, fieldErrors } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (values: T) => {
    setBusy(true);
    setError(null);
    try {
      await onSubmit(values);
    } catch (e) {
      if (!isApiError(e)) throw e;
      const known = Array.isArray(fieldErrors) ? (fieldErrors as readonly string[]) : undefined;
      if (!(fieldErrors && applyServerErrors(form, e, known))) setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={props.open}
      title={props.title}
      onCancel={() => {
        setError(null);
        props.onClose();
      }}
      onOk={() => form.submit()}
      okText={props.okText}
      cancelText={props.cancelText}
      okButtonProps={props.okButtonProps}
      confirmLoading={busy}
      destroyOnHidden
      forceRender={props.forceRender}
    >
      <div data-testid={props['data-testid']}>
        {props.notice}
        {error ? (
          <Alert
            type="error"
            showIcon
            title={error.details[0]?.message ?? error.message}
            className="form-alert"
            data-testid="form-modal-error"
          />
        ) : null}
        <Form
          form={form}
          layout="vertical"
          onFinish={(v: T) => void submit(v)}
          initialValues={props.initialValues}
        >
          {props.children}
        </Form>
      </div>
    </Modal>
  );
}
