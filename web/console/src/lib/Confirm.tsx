import { useState, type ReactNode } from 'react';
import { Button, Group, Modal, Stack, Text } from '@mantine/core';

/** A button that asks before a destructive action; disabled when the person may not do it. */
export function ConfirmButton(props: {
  label: string;
  question: ReactNode;
  onConfirm: () => void;
  disabled?: boolean;
  loading?: boolean;
  color?: string;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button color={props.color ?? 'red.9'} variant="outline" disabled={props.disabled} loading={props.loading} onClick={() => setOpen(true)}>
        {props.label}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={props.label} centered closeButtonProps={{ 'aria-label': 'Close' }}>
        <Stack>
          <Text>{props.question}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button
              color={props.color ?? 'red.9'}
              onClick={() => {
                setOpen(false);
                props.onConfirm();
              }}
            >
              Confirm
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
