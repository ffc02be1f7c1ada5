import { OrganisationType } from './organisation-type';
import { Permission } from './permission';

/** Who is making the request: a machine key or a signed-in person, always within one organisation. */
export interface Actor {
  type: 'API_KEY' | 'USER';
  id: string;
  name: string;
  organisationId: string;
  organisationType: OrganisationType;
  organisationCode: string;
  /** The roles the person or key holds; what they may grant others is a subset of these. */
  roles: readonly string[];
  permissions: ReadonlySet<Permission>;
  /** A melder limited to some of the school's locations sees and files only theirs. */
  locationIds?: readonly string[];
}
