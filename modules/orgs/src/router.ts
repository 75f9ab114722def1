import { router } from '@plinto/kernel';
import { createOrgProcedure, deleteOrgProcedure, getOrgProcedure, listOrgsProcedure, listUserOrgsProcedure, updateOrgProcedure } from './procedures/orgs';
import { activateOrgProcedure, addMemberProcedure, leaveOrgProcedure, listMembersProcedure, removeMemberProcedure, updateMemberProcedure } from './procedures/members';
import { createTeamProcedure, deleteTeamProcedure, getTeamProcedure, listTeamsProcedure, updateTeamProcedure } from './procedures/teams';
import { addDomainProcedure, listDomainsProcedure, removeDomainProcedure, updateDomainProcedure, verifyDomainProcedure } from './procedures/domains';
import { addTeamMemberProcedure, listTeamMembersProcedure, removeTeamMemberProcedure } from './procedures/team-members';

export const orgsRouter = router({
  create: createOrgProcedure,
  list: listOrgsProcedure,
  listForUser: listUserOrgsProcedure,
  get: getOrgProcedure,
  update: updateOrgProcedure,
  delete: deleteOrgProcedure,
  listMembers: listMembersProcedure,
  addMember: addMemberProcedure,
  updateMember: updateMemberProcedure,
  removeMember: removeMemberProcedure,
  leave: leaveOrgProcedure,
  activate: activateOrgProcedure,
  listTeams: listTeamsProcedure,
  createTeam: createTeamProcedure,
  getTeam: getTeamProcedure,
  updateTeam: updateTeamProcedure,
  deleteTeam: deleteTeamProcedure,
  listTeamMembers: listTeamMembersProcedure,
  addTeamMember: addTeamMemberProcedure,
  removeTeamMember: removeTeamMemberProcedure,
  listDomains: listDomainsProcedure,
  addDomain: addDomainProcedure,
  updateDomain: updateDomainProcedure,
  verifyDomain: verifyDomainProcedure,
  removeDomain: removeDomainProcedure,
});
