import { useState } from 'react';
import { Alert, Badge, Button, Checkbox, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { useCan } from '../lib/session';
import { errorText, when } from '../lib/format';
import { ConfirmButton } from '../lib/Confirm';

/**
 * An organization's domains: claim one (with auto-join), verify it (tenant owners: domains:verify —
 * an organization's own owner does not vouch for its own claim), change auto-join, give it up.
 */
export function OrgDomains({ orgId }: { orgId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canWrite = useCan('organizations:write');
  const canVerify = useCan('domains:verify');
  const [domain, setDomain] = useState('');
  const [autoJoin, setAutoJoin] = useState(false);
  const domains = useQuery(trpc.orgs.listDomains.queryOptions({ orgId }));
  const refresh = () => queryClient.invalidateQueries();
  const add = useMutation(
    trpc.orgs.addDomain.mutationOptions({
      onSuccess: () => {
        setDomain('');
        setAutoJoin(false);
        return refresh();
      },
    }),
  );
  const verify = useMutation(trpc.orgs.verifyDomain.mutationOptions({ onSuccess: refresh }));
  const update = useMutation(trpc.orgs.updateDomain.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.orgs.removeDomain.mutationOptions({ onSuccess: refresh }));
  const failure = domains.error ?? add.error ?? verify.error ?? update.error ?? remove.error;
  return (
    <Stack>
      <Text size="sm">
        A verified domain lets people whose identity provider vouches for an address at it join the organization (auto-join). Verifying is a tenant
        owner's assertion; no DNS check is made.
      </Text>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate({ orgId, domain: domain.trim(), autoJoin });
        }}
      >
        <Group align="end">
          <TextInput label="Domain" placeholder="example.com" value={domain} onChange={(e) => setDomain(e.currentTarget.value)} disabled={!canWrite} required />
          <Checkbox label="Auto-join" checked={autoJoin} onChange={(e) => setAutoJoin(e.currentTarget.checked)} disabled={!canWrite} mb={8} />
          <Button type="submit" disabled={!canWrite || !domain.trim()} loading={add.isPending}>
            Add domain
          </Button>
        </Group>
      </form>
      {failure && <Alert color="red.9">{errorText(failure)}</Alert>}
      <Table.ScrollContainer minWidth={640}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Domain</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Auto-join</Table.Th>
              <Table.Th>Added</Table.Th>
              <Table.Th>Action</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody data-testid="org-domains">
            {domains.data?.items.map((d) => (
              <Table.Tr key={d.id}>
                <Table.Td>{d.domain}</Table.Td>
                <Table.Td>
                  <Badge color={d.verified ? 'teal.9' : 'gray.7'}>{d.verified ? `verified ${when(d.verifiedAt)}` : 'unverified'}</Badge>
                </Table.Td>
                <Table.Td>
                  <Checkbox
                    aria-label={`Auto-join through ${d.domain}`}
                    checked={d.autoJoin}
                    disabled={!canWrite}
                    onChange={(e) => update.mutate({ orgId, domainId: d.id, autoJoin: e.currentTarget.checked })}
                  />
                </Table.Td>
                <Table.Td>{when(d.createdAt)}</Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    {!d.verified && (
                      <Button size="xs" variant="default" aria-label={`Verify ${d.domain}`} disabled={!canVerify} onClick={() => verify.mutate({ orgId, domainId: d.id })}>
                        Verify
                      </Button>
                    )}
                    <ConfirmButton
                      label={`Remove ${d.domain}`}
                      question={`Give up ${d.domain}? Members who joined through it stay.`}
                      disabled={!canWrite}
                      onConfirm={() => remove.mutate({ orgId, domainId: d.id })}
                    />
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {domains.data?.items.length === 0 && <Text>No domains.</Text>}
    </Stack>
  );
}
